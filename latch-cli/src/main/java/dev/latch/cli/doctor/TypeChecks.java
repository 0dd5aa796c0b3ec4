package dev.latch.cli.doctor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The token's JOSE {@code typ} against what the resource server accepts, with the Latch setting that
 * fixes a mismatch. RFC 9068 §2.1 access tokens are typed {@code at+jwt}; Spring Security's default
 * (Spring Boot configured with only {@code issuer-uri}) accepts only {@code JWT} and answers
 * {@code the given typ value needs to be one of [JWT]}; Nimbus's {@code DefaultJOSEObjectTypeVerifier}
 * says {@code JOSE header typ (type) at+jwt not allowed}. Given such a refusal, the doctor names the
 * profile the API needs ({@code resources[].token-profile}, {@code tokens.default-profile}).
 */
final class TypeChecks {

    /** Spring Security's {@code JwtTypeValidator}. */
    private static final Pattern SPRING = Pattern.compile("the given typ value needs to be one of \\[([^\\]]*)\\]");
    /** Nimbus JOSE+JWT's {@code DefaultJOSEObjectTypeVerifier}. */
    private static final Pattern NIMBUS = Pattern.compile("JOSE header typ \\(type\\) (\\S+) not allowed");

    private TypeChecks() {}

    /**
     * @param typ      the header's {@code typ} (null when absent)
     * @param aud      the {@code aud} claim (a string, a list, or null)
     * @param refusal  what the resource server answered ({@code WWW-Authenticate}, body or log line), or null
     */
    static Finding check(Object typ, Object aud, String refusal) {
        String shown = typ == null ? "(none)" : typ.toString();
        String type = normalized(typ);
        if (refusal == null) {
            if ("at+jwt".equals(type)) {
                return Finding.ok("typ", "at+jwt (RFC 9068 §2.1); verifiers that accept only JWT, such as Spring Security's default, "
                        + "refuse it with \"the given typ value needs to be one of [JWT]\" (see --refusal)");
            }
            return Finding.ok("typ", shown + ("jwt".equals(type) ? " (accepted by Spring Security's default; an RFC 9068 verifier requires at+jwt)" : ""));
        }
        Matcher spring = SPRING.matcher(refusal);
        Matcher nimbus = NIMBUS.matcher(refusal);
        boolean refused;
        String verifier;
        List<String> accepted = new ArrayList<>();
        if (spring.find()) {
            verifier = "Spring Security";
            Arrays.stream(spring.group(1).split(",")).map(String::strip).filter(s -> !s.isEmpty()).forEach(accepted::add);
            refused = accepted.stream().noneMatch(a -> normalized(a).equals(type));
        } else if (nimbus.find()) {
            verifier = "Nimbus JOSE+JWT";
            refused = normalized(nimbus.group(1)).equals(type);
        } else {
            return Finding.warn("refusal", "not a typ refusal the doctor knows: " + oneLine(refusal),
                    "the findings above name the other reasons a verifier refuses this token");
        }
        if (!refused) {
            return Finding.ok("typ", shown + " is a type the verifier accepts; the refusal was about another token");
        }
        boolean wantsJwt = accepted.isEmpty() ? "at+jwt".equals(type)
                : accepted.stream().map(TypeChecks::normalized).anyMatch("jwt"::equals);
        String profile = wantsJwt ? "jwt" : "rfc9068";
        String wanted = accepted.isEmpty() ? (wantsJwt ? "JWT" : "at+jwt") : String.join(", ", accepted);
        return Finding.fail("typ", "the token is typed " + shown + ", and the verifier (" + verifier + ") accepts only " + wanted,
                fixFor(audiences(aud), profile));
    }

    private static String fixFor(List<String> audiences, String profile) {
        String each = audiences.isEmpty() ? "YOUR-API" : audiences.get(0);
        String cli = "latch resources set " + each + " --token-profile " + profile;
        String yaml = "resources: [{uri: " + each + ", token-profile: " + profile + "}]";
        String several = audiences.size() > 1
                ? " for each of its audiences " + audiences + " (a token is typ JWT only when every audience is jwt)" : "";
        String dflt = profile.equals("jwt") ? "; or tokens.default-profile: jwt for every audience without a profile of its own" : "";
        return "issue this API's tokens under the " + profile + " profile" + several + ": `" + cli + "`, or in Latch's configuration `"
                + yaml + "`" + dflt;
    }

    private static List<String> audiences(Object aud) {
        if (aud instanceof String s) return List.of(s);
        if (aud instanceof List<?> l) return l.stream().map(String::valueOf).toList();
        return List.of();
    }

    /** RFC 7515 §4.1.9: compared ignoring case, {@code application/} left out. */
    private static String normalized(Object typ) {
        if (typ == null) return "";
        String t = typ.toString().strip().toLowerCase(Locale.ROOT);
        return t.startsWith("application/") ? t.substring("application/".length()) : t;
    }

    private static String oneLine(String s) {
        String line = s.replaceAll("\\s+", " ").strip();
        return line.length() > 200 ? line.substring(0, 200) + "…" : line;
    }
}
