package dev.latch.cli.jwt;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.util.Base64URL;
import dev.latch.cli.Main;
import dev.latch.cli.context.CommandContext;
import dev.latch.cli.options.DurationConverter;
import dev.latch.cli.options.KeyFileInput;
import dev.latch.cli.options.SecretOptions;
import dev.latch.client.auth.ClientAssertion;
import dev.latch.core.jose.JwsAlgorithms;
import dev.latch.core.jose.KeyFiles;
import dev.latch.core.jose.KeyGeneration;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code latch jwt sign --key FILE --alg ALG [--kid K] [--header k=v]… [--claims JSON] [--claim k=v]…}: prints the compact JWT. */
@Command(name = "sign", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Sign a JWT and print it (compact serialization) on standard output.",
                "Claims come from --claims (JSON, @FILE or @- for standard input), then the claim options (--iss, --sub, --aud, "
                        + "--jti, --iat, --expires-in), then each --claim k=v; later ones win. A --claim or --header value is JSON "
                        + "when it parses as JSON (numbers, true, false, null, objects, arrays, \"quoted strings\"), else a string.",
                "The header has alg, typ (JWT unless --typ), kid (the key's, unless --kid or --no-kid) and, on request, x5t / x5t#S256 "
                        + "/ x5c from the key file's certificate or --cert, jku, and any --header k=v.",
                "--client-assertion --client-id ID --aud URL makes an RFC 7523 client assertion (private_key_jwt with --key, "
                        + "client_secret_jwt with --secret) as the client library does: iss = sub = ID, a fresh jti, iat, exp ≤ 5 min."},
        footer = {"", "Examples:",
                "  latch jwt sign --key client.key.pem --alg RS256 --iss me --sub me --aud https://as.example.com/token --jti --expires-in 5m",
                "  latch jwt sign --key entra.key.pem --cert entra.crt.pem --alg PS256 --x5t-s256 --claims @claims.json",
                "  latch jwt sign --secret '$${env:HMAC_SECRET}' --alg HS256 --claim sub=alice --claim admin=true",
                "  latch jwt sign --client-assertion --client-id my-app --aud https://fhir.epic.com/oauth2/token --key epic.key.pem --alg RS384 --kid epic-1",
                "", "Exit codes: 0 printed, 1 the key cannot be read or does not fit the algorithm, 2 usage error."})
public final class SignJwtCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    static final class Signing {
        @Option(names = "--key", paramLabel = "FILE", description = "Private key: PEM, JWK, JWKS of one key, PKCS#12.")
        Path key;

        @Option(names = "--secret", paramLabel = "SECRET",
                description = "HMAC secret for HS256/384/512 (at least 32/48/64 bytes): $${env:NAME}, $${file:PATH} or - (standard input).")
        String secret;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Signing signing;

    @Option(names = "--key-password", paramLabel = "SECRET",
            description = "Password of an encrypted PEM or PKCS#12 key: $${env:NAME}, $${file:PATH} or - (standard input).")
    String keyPassword;

    @Option(names = "--alg", paramLabel = "ALG",
            description = "RS256..512, PS256..512, ES256/384/512, Ed25519, EdDSA, HS256..512. Default: the key's alg, or the only one that fits it.")
    String alg;

    @Option(names = "--kid", paramLabel = "KID", description = "kid header (default: the key's kid; a PEM key's is its RFC 7638 thumbprint).")
    String kid;

    @Option(names = "--no-kid", description = "Leave kid out of the header.")
    boolean noKid;

    @Option(names = "--typ", paramLabel = "TYP",
            description = "typ header (default JWT, none for --client-assertion; e.g. at+jwt). An empty value leaves it out.")
    String typ;

    @Option(names = "--jku", paramLabel = "URL", description = "jku header: the URL of the signer's JWK Set.")
    String jku;

    @Option(names = "--x5t", description = "x5t header: SHA-1 thumbprint of the certificate (as Entra ID v1 expects).")
    boolean x5t;

    @Option(names = "--x5t-s256", description = "x5t#S256 header: SHA-256 thumbprint of the certificate.")
    boolean x5tS256;

    @Option(names = "--x5c", description = "x5c header: the certificate chain.")
    boolean x5c;

    @Option(names = "--cert", paramLabel = "FILE", description = "Certificate of the key (PEM or DER) for --x5t, --x5t-s256, --x5c; default: the key file's.")
    Path cert;

    @Option(names = "--header", paramLabel = "NAME=VALUE", description = "Header parameter (repeatable); alg cannot be set this way.")
    Map<String, String> headers = new LinkedHashMap<>();

    @Option(names = "--claims", paramLabel = "JSON", description = "Claims as a JSON object, @FILE, or @- (standard input).")
    String claimsJson;

    @Option(names = "--claim", paramLabel = "NAME=VALUE", description = "A claim (repeatable).")
    Map<String, String> claimValues = new LinkedHashMap<>();

    @Option(names = "--iss", paramLabel = "ISS", description = "iss claim.")
    String iss;

    @Option(names = "--sub", paramLabel = "SUB", description = "sub claim.")
    String sub;

    @Option(names = "--aud", paramLabel = "AUD", description = "aud claim (repeatable: several make an array).")
    List<String> aud = new ArrayList<>();

    @Option(names = "--jti", paramLabel = "ID", arity = "0..1", fallbackValue = "",
            description = "jti claim; without a value a random UUID.")
    String jti;

    @Option(names = "--iat", description = "iat claim: now.")
    boolean iat;

    @Option(names = "--expires-in", paramLabel = "DURATION", converter = DurationConverter.ZeroAllowed.class,
            description = "exp claim: now plus DURATION (60s, 5m, 1h, …); also sets iat unless given.")
    Duration expiresIn;

    @Option(names = "--client-assertion",
            description = "RFC 7523 client assertion for private_key_jwt / client_secret_jwt: iss = sub = --client-id, aud = --aud "
                    + "(the URL it is posted to, or the issuer), a fresh jti, iat now, exp after --expires-in (default 60s, at most 5m).")
    boolean clientAssertion;

    @Option(names = "--client-id", paramLabel = "ID", description = "The client of --client-assertion.")
    String clientId;

    @Override
    public Integer call() throws GeneralSecurityException, JOSEException {
        checkOptions();
        if (clientAssertion) {
            return clientAssertion();
        }
        long now = CommandContext.clock(spec).instant().getEpochSecond();
        JWK key = null;
        JWSAlgorithm algorithm;
        JWSSigner signer;
        if (signing.secret != null) {
            algorithm = algorithmForSecret();
            try {
                signer = JwsAlgorithms.macSigner(algorithm, SecretOptions.resolve(spec, "--secret", signing.secret));
            } catch (JOSEException e) {
                throw new IllegalArgumentException(e.getMessage());
            }
        } else {
            key = KeyFileInput.readPrivate(signing.key, SecretOptions.resolve(spec, "--key-password", keyPassword), "signing");
            algorithm = algorithmForKey(key);
            signer = JwsAlgorithms.signer(key, algorithm);
        }
        Map<String, Object> header = header(algorithm, key);
        Map<String, Object> claims = claims(now);
        // serialized here rather than by Nimbus so header and claims keep the order they were given in
        Base64URL encodedHeader = Base64URL.encode(JsonText.compact(header));
        Base64URL encodedClaims = Base64URL.encode(JsonText.compact(claims));
        JWSHeader parsedHeader;
        try {
            parsedHeader = JWSHeader.parse(encodedHeader);
        } catch (java.text.ParseException e) {
            throw new IllegalArgumentException("invalid header: " + e.getMessage());
        }
        String signingInput = encodedHeader + "." + encodedClaims;
        Base64URL signature = signer.sign(parsedHeader, signingInput.getBytes(StandardCharsets.US_ASCII));
        spec.commandLine().getOut().println(signingInput + "." + signature);
        spec.commandLine().getOut().flush();
        return 0;
    }

    private void checkOptions() {
        if (signing.secret != null && (keyPassword != null || x5t || x5tS256 || x5c || cert != null)) {
            throw usage("--key-password, --x5t, --x5t-s256, --x5c and --cert need --key (an HMAC --secret has no certificate)");
        }
        if (noKid && kid != null) {
            throw usage("--kid and --no-kid contradict each other");
        }
        if (headers.containsKey("alg")) {
            throw usage("--header alg=… is not allowed: the algorithm is --alg");
        }
        // a header parameter given both ways would silently lose one of them
        Map<String, Boolean> asOption = new LinkedHashMap<>();
        asOption.put("kid", kid != null || noKid);
        asOption.put("typ", typ != null);
        asOption.put("jku", jku != null);
        asOption.put("x5t", x5t);
        asOption.put("x5t#S256", x5tS256);
        asOption.put("x5c", x5c);
        asOption.forEach((name, given) -> {
            if (given && headers.containsKey(name)) {
                String option = switch (name) {
                    case "kid" -> kid != null ? "--kid" : "--no-kid";
                    case "x5t#S256" -> "--x5t-s256";
                    default -> "--" + name;
                };
                throw usage("--header " + name + "=… and " + option + " both set the " + name + " header: give one");
            }
        });
        if (clientId != null && !clientAssertion) {
            throw usage("--client-id applies to --client-assertion");
        }
        if (clientAssertion) {
            if (clientId == null) {
                throw usage("--client-assertion needs --client-id");
            }
            if (aud.size() != 1) {
                throw usage("--client-assertion needs exactly one --aud: the URL the assertion is posted to (or the issuer)");
            }
            if (jti != null || iat || !headers.isEmpty() || x5c) {
                throw usage("--client-assertion makes jti, iat and exp itself and takes no --jti, --iat, --header or --x5c");
            }
            if (expiresIn != null && (expiresIn.isZero() || expiresIn.compareTo(ClientAssertion.MAX_LIFETIME) > 0)) {
                throw usage("--client-assertion: --expires-in must be more than 0 and at most 5m (servers refuse longer-lived assertions)");
            }
        }
    }

    /** The preset: {@link ClientAssertion} of the client library makes the assertion, as {@code latch token} and the library do. */
    private int clientAssertion() {
        ClientAssertion.Builder builder = ClientAssertion.builder(clientId);
        JWK key = null;
        if (signing.secret != null) {
            builder.secret(SecretOptions.resolve(spec, "--secret", signing.secret), algorithmForSecret());
        } else {
            key = KeyFileInput.readPrivate(signing.key, SecretOptions.resolve(spec, "--key-password", keyPassword), "signing");
            builder.key(key, algorithmForKey(key));
        }
        URI audience;
        try {
            audience = new URI(aud.get(0));
        } catch (java.net.URISyntaxException e) {
            throw usage("--aud " + aud.get(0) + " is not a URL");
        }
        builder.audience(ClientAssertion.Audience.TOKEN_ENDPOINT).clock(CommandContext.clock(spec)).x5t(x5t).x5tS256(x5tS256);
        if (noKid) builder.keyId(null);
        if (kid != null) builder.keyId(kid);
        if (typ != null && !typ.isEmpty()) builder.type(typ);
        if (jku != null) builder.jwkSetUrl(URI.create(jku));
        if (iss != null) builder.issuer(iss);
        if (sub != null) builder.subject(sub);
        if (expiresIn != null) builder.lifetime(expiresIn);
        try {
            if (cert != null) {
                builder.certificate(certificates(key).get(0));
            }
            Map<String, Object> extra = new LinkedHashMap<>(givenClaims());
            claimValues.forEach((name, value) -> extra.put(name, JsonText.value(value)));
            for (var claim : extra.entrySet()) {
                if (List.of("iss", "sub", "aud", "jti", "iat", "exp", "nbf").contains(claim.getKey())) {
                    throw usage("--client-assertion sets " + claim.getKey() + " itself (iss/sub: --iss, --sub; aud: --aud; exp: --expires-in)");
                }
                builder.claim(claim.getKey(), claim.getValue());
            }
            String assertion = builder.build().sign(null, audience);
            spec.commandLine().getOut().println(assertion);
            spec.commandLine().getOut().flush();
            return 0;
        } catch (GeneralSecurityException | JOSEException | dev.latch.client.OAuthClientException e) {
            throw new IllegalArgumentException(e.getMessage());
        }
    }

    private JWSAlgorithm parseAlg() {
        if ("none".equalsIgnoreCase(alg)) {
            throw usage("--alg none: unsigned tokens are not made here");
        }
        try {
            return JwsAlgorithms.parse(alg);
        } catch (IllegalArgumentException e) {
            throw usage("--alg: " + e.getMessage());
        }
    }

    private JWSAlgorithm algorithmForSecret() {
        if (alg == null) {
            throw usage("--secret needs --alg HS256, HS384 or HS512");
        }
        JWSAlgorithm a = parseAlg();
        if (!JwsAlgorithms.isHmac(a)) {
            throw usage("--alg " + alg + " is not HMAC: --secret signs HS256, HS384 or HS512; asymmetric algorithms need --key");
        }
        return a;
    }

    private JWSAlgorithm algorithmForKey(JWK key) {
        List<String> fitting = JwsAlgorithms.fitting(key).stream().map(JWSAlgorithm::getName).toList();
        if (alg == null) {
            if (key.getAlgorithm() != null) {
                return JwsAlgorithms.parse(key.getAlgorithm().getName());
            }
            if (fitting.size() == 1) {
                return JwsAlgorithms.parse(fitting.get(0));
            }
            if (fitting.isEmpty()) {
                throw new IllegalArgumentException(signing.key + ": " + unsupported(key));
            }
            throw usage("give --alg: the " + KeyGeneration.describe(key) + " key fits " + String.join(", ", fitting));
        }
        JWSAlgorithm a = parseAlg();
        if (JwsAlgorithms.isHmac(a)) {
            throw usage("--alg " + alg + " is HMAC: give the shared secret with --secret, not a key file");
        }
        if (!JwsAlgorithms.fits(key, a)) {
            throw new IllegalArgumentException("--alg " + alg + " does not fit the " + KeyGeneration.describe(key) + " key in "
                    + signing.key + (fitting.isEmpty() ? "" : " (it fits: " + String.join(", ", fitting) + ")"));
        }
        return a;
    }

    /** Why a key that fits no algorithm cannot sign: its curve, for EC and OKP keys. */
    private static String unsupported(JWK key) {
        if (key instanceof com.nimbusds.jose.jwk.ECKey ec) {
            return "unsupported curve " + ec.getCurve().getName() + " (supported: P-256, P-384, P-521)";
        }
        if (key instanceof com.nimbusds.jose.jwk.OctetKeyPair okp) {
            return "unsupported curve " + okp.getCurve().getName() + " (supported: Ed25519)";
        }
        return "the " + KeyGeneration.describe(key) + " key fits no supported algorithm";
    }

    private Map<String, Object> header(JWSAlgorithm algorithm, JWK key) throws GeneralSecurityException, JOSEException {
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("alg", algorithm.getName());
        String headerType = typ == null ? "JWT" : typ;
        if (!headerType.isEmpty()) {
            h.put("typ", headerType);
        }
        String keyId = noKid ? null : kid != null ? kid : key != null ? key.getKeyID() : null;
        if (keyId != null) {
            h.put("kid", keyId);
        }
        if (x5t || x5tS256 || x5c) {
            List<X509Certificate> chain = certificates(key);
            if (x5t) {
                h.put("x5t", KeyFiles.x5t(chain.get(0)).toString());
            }
            if (x5tS256) {
                h.put("x5t#S256", KeyFiles.x5tS256(chain.get(0)).toString());
            }
            if (x5c) {
                List<String> der = new ArrayList<>();
                for (X509Certificate c : chain) {
                    der.add(com.nimbusds.jose.util.Base64.encode(c.getEncoded()).toString());
                }
                h.put("x5c", der);
            }
        }
        if (jku != null) {
            h.put("jku", jku);
        }
        headers.forEach((name, value) -> h.put(name, JsonText.value(value)));
        return h;
    }

    private List<X509Certificate> certificates(JWK key) throws GeneralSecurityException, JOSEException {
        if (cert != null) {
            List<X509Certificate> chain = KeyFileInput.readCertificates(cert);
            try {
                KeyFiles.withCertificateChain(key, chain);
            } catch (GeneralSecurityException e) {
                throw new IllegalArgumentException(cert + ": the certificate (" + chain.get(0).getSubjectX500Principal().getName()
                        + ") is not for the key in " + signing.key);
            }
            return chain;
        }
        List<X509Certificate> chain = KeyFiles.certificates(key);
        if (chain.isEmpty()) {
            throw new IllegalArgumentException(signing.key + " has no certificate for --x5t/--x5t-s256/--x5c: give --cert FILE");
        }
        return chain;
    }

    /** The object of {@code --claims} (JSON, @FILE or @-), empty without it. */
    private Map<String, Object> givenClaims() {
        if (claimsJson == null) {
            return Map.of();
        }
        String text = claimsJson.startsWith("@") ? KeyFileInput.readText(spec, claimsJson.substring(1)) : claimsJson;
        try {
            return JsonText.parseObject(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("--claims " + (claimsJson.startsWith("@") ? claimsJson.substring(1) + " " : "")
                    + "is not a JSON object (" + e.getOriginalMessage() + ")");
        }
    }

    private Map<String, Object> claims(long now) {
        Map<String, Object> c = new LinkedHashMap<>(givenClaims());
        if (iss != null) c.put("iss", iss);
        if (sub != null) c.put("sub", sub);
        if (aud.size() == 1) c.put("aud", aud.get(0));
        if (aud.size() > 1) c.put("aud", List.copyOf(aud));
        if (jti != null) c.put("jti", jti.isEmpty() ? UUID.randomUUID().toString() : jti);
        if (iat) c.put("iat", now);
        if (expiresIn != null) {
            c.putIfAbsent("iat", now);
            c.put("exp", now + expiresIn.toSeconds());
        }
        claimValues.forEach((name, value) -> c.put(name, JsonText.value(value)));
        for (String time : List.of("exp", "nbf", "iat")) { // RFC 7519 §4.1.4-6: NumericDate
            if (c.containsKey(time) && !(c.get(time) instanceof Number)) {
                Object value = c.get(time);
                throw usage(time + " must be a number (seconds since 1970-01-01T00:00:00Z), not " + (value == null ? "null" : JsonText.compact(value)));
            }
        }
        return c;
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }
}
