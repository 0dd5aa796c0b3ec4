package dev.latch.cli.jwt;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.latch.cli.Main;
import dev.latch.cli.context.CommandContext;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;

/**
 * A token in JWS or JWE compact serialization (RFC 7515 §7.1, RFC 7516 §7.1), split and decoded
 * without trusting anything in it. Parse failures are {@link Malformed} with a message a person can act on.
 *
 * @param parts   the dot-separated parts (3 for a JWS, 5 for a JWE)
 * @param header  the protected header
 * @param claims  the payload as a JSON object; null for a JWE or a payload that is not a JSON object
 * @param payload the decoded payload text; null for a JWE
 */
record CompactToken(String[] parts, Map<String, Object> header, Map<String, Object> claims, String payload) {

    /** A token that cannot be read; the message follows "malformed token: ". */
    static final class Malformed extends Exception {
        Malformed(String message) {
            super(message);
        }
    }

    boolean encrypted() {
        return parts.length == 5;
    }

    /** The text signed over: the first two parts, as they came. */
    String signingInput() {
        return parts[0] + "." + parts[1];
    }

    static CompactToken parse(String token) throws Malformed {
        String t = token == null ? "" : token.strip();
        if (t.isEmpty()) {
            throw new Malformed("the token is empty");
        }
        if (t.chars().anyMatch(c -> Character.isWhitespace(c))) {
            throw new Malformed("the token contains white space");
        }
        String[] parts = t.split("\\.", -1);
        if (parts.length != 3 && parts.length != 5) {
            throw new Malformed("a JWT has 3 dot-separated parts (5 when encrypted), this has " + parts.length);
        }
        Map<String, Object> header = object(parts[0], "header");
        if (parts.length == 5) {
            return new CompactToken(parts, header, null, null);
        }
        byte[] payloadBytes = decode(parts[1], "payload");
        String payload = new String(payloadBytes, StandardCharsets.UTF_8);
        Map<String, Object> claims;
        try {
            claims = JsonText.parseObject(payload);
        } catch (JsonProcessingException e) {
            claims = null;
        }
        decode(parts[2], "signature");
        return new CompactToken(parts, header, claims, payload);
    }

    private static Map<String, Object> object(String part, String what) throws Malformed {
        String json = new String(decode(part, what), StandardCharsets.UTF_8);
        try {
            return JsonText.parseObject(json);
        } catch (JsonProcessingException e) {
            throw new Malformed("the " + what + " is not a JSON object (" + e.getOriginalMessage() + ")");
        }
    }

    private static byte[] decode(String part, String what) throws Malformed {
        if (part.contains("=")) {
            throw new Malformed("the " + what + " is padded with '='; base64url in JWTs has no padding (RFC 7515 §2)");
        }
        try {
            return Base64.getUrlDecoder().decode(part);
        } catch (IllegalArgumentException e) {
            throw new Malformed("the " + what + " is not base64url (" + e.getMessage() + ")");
        }
    }

    /** TOKEN as given, or standard input for {@code -}. */
    static String read(CommandSpec spec, String tokenOrDash) {
        if (!"-".equals(tokenOrDash)) {
            return tokenOrDash;
        }
        try {
            return new String(CommandContext.standardInput(spec).readAllBytes(), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new IllegalArgumentException("standard input cannot be read: " + e.getMessage());
        }
    }
}
