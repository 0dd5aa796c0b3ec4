package dev.latch.cli.jwt;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jose.jwk.JWK;
import com.sun.net.httpserver.HttpServer;
import dev.latch.cli.Cli;
import dev.latch.core.jose.JwsAlgorithms;
import dev.latch.core.jose.KeyFiles;
import dev.latch.server.TestServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code latch jwt decode|verify|sign} with a fixed clock: exact output, every reason a token fails, bad input. */
class JwtCommandTest {

    static final Instant NOW = Instant.parse("2031-05-06T07:08:09Z");
    static final long T = NOW.getEpochSecond();
    static final ObjectMapper JSON = new ObjectMapper();
    static final String SECRET = "a shared secret of more than sixty-four bytes, enough for HS512 too";

    @TempDir
    Path dir;
    Cli cli;
    Path ec;
    Path rsa;
    Path jwks;
    HttpServer http;

    @BeforeEach
    void keys() throws Exception {
        cli = new Cli(null).clock(Clock.fixed(NOW, ZoneOffset.UTC)).env("HS", SECRET).env("SHORT", "too short");
        ok("keys", "generate", "--type", "ec", "--kid", "k1", "--cert", "--subject", "CN=signer", "--out", dir.resolve("ec").toString());
        ok("keys", "generate", "--alg", "RS256", "--kid", "r1", "--out", dir.resolve("rsa").toString());
        ec = dir.resolve("ec.jwk.json"); // the JWK keeps kid k1; a PEM file has no kid (its kid is the thumbprint)
        rsa = dir.resolve("rsa.key.pem");
        // one key set with both public keys, as an issuer publishes it
        List<Object> keys = new ArrayList<>();
        keys.add(JSON.readTree(dir.resolve("ec.jwks.json").toFile()).get("keys").get(0));
        keys.add(JSON.readTree(dir.resolve("rsa.jwks.json").toFile()).get("keys").get(0));
        jwks = dir.resolve("set.jwks.json");
        JSON.writeValue(jwks.toFile(), Map.of("keys", keys));
    }

    @AfterEach
    void stopHttp() {
        if (http != null) http.stop(0);
    }

    Cli.Result ok(String... args) {
        Cli.Result r = cli.raw(args);
        assertThat(r.exit()).as("%s\nstdout: %s\nstderr: %s", String.join(" ", args), r.out(), r.err()).isZero();
        return r;
    }

    /** Signs with the EC key (kid k1, ES256) and the given claims JSON plus extra options. */
    String token(String claims, String... extra) {
        List<String> args = new ArrayList<>(List.of("jwt", "sign", "--key", ec.toString(), "--claims", claims));
        args.addAll(List.of(extra));
        return ok(args.toArray(String[]::new)).out().strip();
    }

    String valid() {
        return token("{\"iss\":\"https://issuer.example\",\"sub\":\"alice\",\"aud\":[\"api\",\"other\"],\"iat\":" + (T - 60)
                + ",\"exp\":" + (T + 300) + "}");
    }

    static JsonNode part(String token, int index) throws Exception {
        return JSON.readTree(Base64.getUrlDecoder().decode(token.split("\\.")[index]));
    }

    static String b64(String json) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    Cli.Result verify(String token, String... options) {
        List<String> args = new ArrayList<>(List.of("jwt", "verify", token));
        args.addAll(List.of(options));
        return cli.raw(args.toArray(String[]::new));
    }

    /** Runs verify and expects exit 1 with exactly {@code reason}. */
    void rejected(String reason, String token, String... options) {
        Cli.Result r = verify(token, options);
        assertThat(r.exit()).as("stdout: %s", r.out()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("latch: invalid token: " + reason + "\n");
        assertThat(r.out()).isEmpty();
    }

    // ---------------------------------------------------------------- decode

    @Test
    void decodeShowsHeaderClaimsAndTimesInUtcAndRelativeAndSaysTheSignatureWasNotVerified() {
        String token = token("{\"sub\":\"alice\",\"exp\":" + (T + 250) + ",\"nbf\":" + (T - 7200) + ",\"iat\":" + (T - 7200)
                + ",\"auth_time\":" + (T - 7260) + "}");
        Cli.Result r = ok("jwt", "decode", token);
        assertThat(r.out()).isEqualTo("""
                Header:
                {
                  "alg": "ES256",
                  "typ": "JWT",
                  "kid": "k1"
                }
                Claims:
                {
                  "sub": "alice",
                  "exp": %d,
                  "nbf": %d,
                  "iat": %d,
                  "auth_time": %d
                }
                Times:
                  exp        2031-05-06T07:12:19Z (in 4m 10s)
                  nbf        2031-05-06T05:08:09Z (2h ago)
                  iat        2031-05-06T05:08:09Z (2h ago)
                  auth_time  2031-05-06T05:07:09Z (2h 1m ago)
                Signature: NOT verified (alg ES256); use `latch jwt verify` to check it.
                """.formatted(T + 250, T - 7200, T - 7200, T - 7260));
        assertThat(r.err()).isEmpty();
    }

    @Test
    void decodeReadsTheTokenFromStandardInputAndMarksAnExpiredToken() {
        String token = token("{\"exp\":" + (T - 3 * 86400 - 4 * 3600) + "}");
        Cli.Result r = cli.stdin(token + "\n").raw("jwt", "decode", "-");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("  exp        2031-05-03T03:08:09Z (3d 4h ago) EXPIRED\n");
    }

    @Test
    void decodeOfAnEncryptedTokenShowsItsHeaderOnly() {
        String jwe = b64("{\"alg\":\"RSA-OAEP-256\",\"enc\":\"A256GCM\",\"kid\":\"enc-1\"}") + ".a2V5.aXY.Y2lwaGVy.dGFn";
        Cli.Result r = ok("jwt", "decode", jwe);
        assertThat(r.out()).isEqualTo("""
                Header:
                {
                  "alg": "RSA-OAEP-256",
                  "enc": "A256GCM",
                  "kid": "enc-1"
                }
                Encrypted (JWE, alg RSA-OAEP-256, enc A256GCM): the claims can only be read with the recipient's private key.
                """);
    }

    @Test
    void decodeOfAnUnsignedTokenSaysItMustNeverBeAccepted() {
        Cli.Result r = ok("jwt", "decode", b64("{\"alg\":\"none\"}") + "." + b64("{\"sub\":\"x\"}") + ".");
        assertThat(r.out()).endsWith("Signature: none (alg none): the token is unsigned; never accept it.\n");
    }

    @Test
    void decodeOfMalformedTokensIsOneLineAndExit1() {
        String claims = b64("{}");
        Map<String, String> cases = Map.of(
                "abc.def", "a JWT has 3 dot-separated parts (5 when encrypted), this has 2",
                "", "the token is empty",
                "!!!." + claims + ".c2ln", "the header is not base64url (Illegal base64 character 21)",
                b64("not json") + "." + claims + ".c2ln", "the header is not a JSON object (Unrecognized token 'not': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false'))",
                b64("{\"alg\":\"ES256\",\"alg\":\"none\"}") + "." + claims + ".c2ln", "the header is not a JSON object (Duplicate field 'alg')",
                b64("{\"alg\":\"ES256\"}") + "=." + claims + ".c2ln", "the header is padded with '='; base64url in JWTs has no padding (RFC 7515 §2)");
        cases.forEach((token, message) -> {
            Cli.Result r = cli.raw("jwt", "decode", token);
            assertThat(r.exit()).as(token).isEqualTo(1);
            assertThat(r.err()).isEqualTo("latch: malformed token: " + message + "\n");
        });
    }

    // ---------------------------------------------------------------- sign

    @Test
    void signBuildsHeaderAndClaimsInTheOrderGivenWithTypedValues() throws Exception {
        Path claimsFile = dir.resolve("claims.json");
        Files.writeString(claimsFile, "{\"scope\":\"read\",\"iss\":\"from-file\"}");
        String token = ok("jwt", "sign", "--key", ec.toString(), "--alg", "ES256", "--claims", "@" + claimsFile,
                "--iss", "me", "--sub", "alice", "--aud", "a", "--aud", "b", "--jti", "id-1", "--expires-in", "5m",
                "--claim", "n=5", "--claim", "big=12345678901234", "--claim", "f=1.5", "--claim", "yes=true", "--claim", "nothing=null",
                "--claim", "list=[1,\"two\"]", "--claim", "obj={\"a\":{\"b\":1}}", "--claim", "quoted=\"5\"",
                "--claim", "text=hello world", "--claim", "almost=5abc", "--claim", "eq=a=b",
                "--typ", "at+jwt", "--jku", "https://me.example/jwks", "--header", "cty=JWT", "--header", "custom=7").out().strip();
        assertThat(part(token, 0).toString()).isEqualTo(
                "{\"alg\":\"ES256\",\"typ\":\"at+jwt\",\"kid\":\"k1\",\"jku\":\"https://me.example/jwks\",\"cty\":\"JWT\",\"custom\":7}");
        assertThat(part(token, 1).toString()).isEqualTo("{\"scope\":\"read\",\"iss\":\"me\",\"sub\":\"alice\",\"aud\":[\"a\",\"b\"],"
                + "\"jti\":\"id-1\",\"iat\":" + T + ",\"exp\":" + (T + 300) + ",\"n\":5,\"big\":12345678901234,\"f\":1.5,\"yes\":true,"
                + "\"nothing\":null,\"list\":[1,\"two\"],\"obj\":{\"a\":{\"b\":1}},\"quoted\":\"5\",\"text\":\"hello world\","
                + "\"almost\":\"5abc\",\"eq\":\"a=b\"}");
        JWK key = KeyFiles.readPrivateKey(ec, null);
        assertThat(JWSObject.parse(token).verify(JwsAlgorithms.verifier(key.toPublicJWK(), com.nimbusds.jose.JWSAlgorithm.ES256))).isTrue();
    }

    @Test
    void signPutsCertificateThumbprintsAndChainInTheHeader() throws Exception {
        X509Certificate cert = KeyFiles.certificates(KeyFiles.readKey(dir.resolve("ec.crt.pem"), null)).get(0);
        String sha1 = Base64.getUrlEncoder().withoutPadding().encodeToString(MessageDigest.getInstance("SHA-1").digest(cert.getEncoded()));
        String sha256 = Base64.getUrlEncoder().withoutPadding().encodeToString(MessageDigest.getInstance("SHA-256").digest(cert.getEncoded()));
        // the certificate from --cert, or from the key file itself (the JWK carries x5c)
        Path keyAndCert = dir.resolve("ec-with-cert.pem");
        Files.writeString(keyAndCert, Files.readString(dir.resolve("ec.key.pem")) + Files.readString(dir.resolve("ec.crt.pem")));
        for (List<String> source : List.of(List.of("--key", dir.resolve("ec.key.pem").toString(), "--cert", dir.resolve("ec.crt.pem").toString()),
                List.of("--key", keyAndCert.toString()), List.of("--key", ec.toString()))) {
            List<String> args = new ArrayList<>(List.of("jwt", "sign", "--x5t", "--x5t-s256", "--x5c", "--no-kid", "--claim", "sub=x"));
            args.addAll(source);
            JsonNode header = part(ok(args.toArray(String[]::new)).out().strip(), 0);
            assertThat(header.get("x5t").asText()).isEqualTo(sha1);
            assertThat(header.get("x5t#S256").asText()).isEqualTo(sha256);
            assertThat(header.get("x5c").get(0).asText()).isEqualTo(Base64.getEncoder().encodeToString(cert.getEncoded()));
            assertThat(header.has("kid")).isFalse();
        }
    }

    @Test
    void signWithASecretMakesAnHmacTokenAndRefusesAShortSecret() throws Exception {
        String token = ok("jwt", "sign", "--secret", "${env:HS}", "--alg", "HS256", "--claim", "sub=alice", "--typ", "").out().strip();
        assertThat(part(token, 0).toString()).isEqualTo("{\"alg\":\"HS256\"}");
        assertThat(JWSObject.parse(token).verify(new MACVerifier(SECRET.getBytes(StandardCharsets.UTF_8)))).isTrue();

        Cli.Result shortSecret = cli.raw("jwt", "sign", "--secret", "${env:SHORT}", "--alg", "HS256", "--claim", "sub=alice");
        assertThat(shortSecret.exit()).isEqualTo(1);
        assertThat(shortSecret.err()).isEqualTo("latch: the secret is 9 bytes; HS256 needs at least 32 (RFC 7518 §3.2)\n");
    }

    @Test
    void signFailsInOneLineWhenTheKeyCannotSign() throws Exception {
        Map<List<String>, String> cases = new java.util.LinkedHashMap<>();
        cases.put(List.of("--key", ec.toString(), "--alg", "ES384"),
                "latch: --alg ES384 does not fit the EC P-256 key in " + ec + " (it fits: ES256)");
        cases.put(List.of("--key", dir.resolve("ec.pub.pem").toString()),
                "latch: " + dir.resolve("ec.pub.pem") + ": holds a public key only; signing needs the private key");
        cases.put(List.of("--key", dir.resolve("missing.pem").toString()), "latch: " + dir.resolve("missing.pem") + ": no such file");
        cases.put(List.of("--key", rsa.toString(), "--alg", "RS256", "--x5t"),
                "latch: " + rsa + " has no certificate for --x5t/--x5t-s256/--x5c: give --cert FILE");
        cases.put(List.of("--key", rsa.toString(), "--alg", "RS256", "--x5t", "--cert", dir.resolve("ec.crt.pem").toString()),
                "latch: " + dir.resolve("ec.crt.pem") + ": the certificate (CN=signer) is not for the key in " + rsa);
        cases.put(List.of("--key", ec.toString(), "--claims", "[1,2]"), "latch: --claims is not a JSON object (not a JSON object)");
        cases.put(List.of("--key", ec.toString(), "--claims", "@" + dir.resolve("nope.json")), "latch: " + dir.resolve("nope.json") + ": no such file");
        cases.forEach((args, message) -> {
            List<String> all = new ArrayList<>(List.of("jwt", "sign"));
            all.addAll(args);
            Cli.Result r = cli.raw(all.toArray(String[]::new));
            assertThat(r.exit()).as(String.join(" ", args)).isEqualTo(1);
            assertThat(r.err()).isEqualTo(message + "\n");
            assertThat(r.out()).isEmpty();
        });
    }

    @Test
    void signUsageErrors() {
        Map<List<String>, String> cases = new java.util.LinkedHashMap<>();
        cases.put(List.of("--key", rsa.toString(), "--alg", "HS256"), "latch: --alg HS256 is HMAC: give the shared secret with --secret, not a key file");
        cases.put(List.of("--key", rsa.toString(), "--alg", "none"), "latch: --alg none: unsigned tokens are not made here");
        cases.put(List.of("--secret", "${env:HS}"), "latch: --secret needs --alg HS256, HS384 or HS512");
        cases.put(List.of("--secret", "${env:HS}", "--alg", "RS256"),
                "latch: --alg RS256 is not HMAC: --secret signs HS256, HS384 or HS512; asymmetric algorithms need --key");
        cases.put(List.of("--key", ec.toString(), "--header", "alg=none"), "latch: --header alg=… is not allowed: the algorithm is --alg");
        cases.put(List.of("--key", ec.toString(), "--header", "kid=X", "--kid", "Y"), "latch: --header kid=… and --kid both set the kid header: give one");
        cases.put(List.of("--key", ec.toString(), "--header", "kid=X", "--no-kid"), "latch: --header kid=… and --no-kid both set the kid header: give one");
        cases.put(List.of("--key", ec.toString(), "--header", "typ=at+jwt", "--typ", "JWT"), "latch: --header typ=… and --typ both set the typ header: give one");
        cases.put(List.of("--key", ec.toString(), "--header", "jku=https://a.example/j", "--jku", "https://b.example/j"),
                "latch: --header jku=… and --jku both set the jku header: give one");
        cases.put(List.of("--key", ec.toString(), "--header", "x5t#S256=abc", "--x5t-s256"),
                "latch: --header x5t#S256=… and --x5t-s256 both set the x5t#S256 header: give one");
        cases.put(List.of("--key", ec.toString(), "--claim", "exp=notanumber"),
                "latch: exp must be a number (seconds since 1970-01-01T00:00:00Z), not \"notanumber\"");
        cases.put(List.of("--key", ec.toString(), "--claim", "nbf=tomorrow"),
                "latch: nbf must be a number (seconds since 1970-01-01T00:00:00Z), not \"tomorrow\"");
        cases.put(List.of("--key", ec.toString(), "--claims", "{\"iat\":\"2031-05-06\"}"),
                "latch: iat must be a number (seconds since 1970-01-01T00:00:00Z), not \"2031-05-06\"");
        cases.put(List.of("--key", ec.toString(), "--claim", "novalue"),
                "latch: Value for option option '--claim' (NAME=VALUE) should be in KEY=VALUE format but was novalue");
        cases.put(List.of("--key", ec.toString(), "--secret", "${env:HS}"),
                "latch: Error: --key=FILE, --secret=SECRET are mutually exclusive (specify only one)");
        cases.put(List.of("--key", ec.toString(), "--expires-in", "soon"),
                "latch: Invalid value for option '--expires-in': not a duration such as 60s, 5m, 1h (was soon)");
        cases.put(List.of("--secret", "literal-secret-value", "--alg", "HS256"), "latch: --secret must be a reference (${env:NAME}, "
                + "${file:PATH} or - for standard input), not the secret itself: a command line is visible in the process list and "
                + "shell history (LATCH_ALLOW_LITERAL_SECRETS=true allows it)");
        cases.forEach((args, message) -> {
            List<String> all = new ArrayList<>(List.of("jwt", "sign"));
            all.addAll(args);
            Cli.Result r = cli.raw(all.toArray(String[]::new));
            assertThat(r.exit()).as(String.join(" ", args)).isEqualTo(2);
            assertThat(r.err().lines().toList()).containsExactly(message, "Try 'latch jwt sign --help' for more information.");
        });
    }

    @Test
    void signWithAKeyOnAnUnsupportedCurveSaysSoInOneLine() throws Exception {
        Path k1 = dir.resolve("k1.jwk.json");
        Files.writeString(k1, new com.nimbusds.jose.jwk.gen.ECKeyGenerator(com.nimbusds.jose.jwk.Curve.SECP256K1).generate().toJSONString());
        Cli.Result r = cli.raw("jwt", "sign", "--key", k1.toString(), "--claim", "a=1");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("latch: " + k1 + ": unsupported curve secp256k1 (supported: P-256, P-384, P-521)\n");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void signWithNumericTimeClaimsThenKept() throws Exception {
        JsonNode claims = part(ok("jwt", "sign", "--key", ec.toString(), "--claim", "exp=" + (T + 60), "--claim", "nbf=" + T).out().strip(), 1);
        assertThat(claims.get("exp").asLong()).isEqualTo(T + 60);
        assertThat(claims.get("nbf").asLong()).isEqualTo(T);
    }

    @Test
    void signPicksTheKeysAlgOrTheOnlyAlgorithmThatFitsAndAsksOtherwise() throws Exception {
        assertThat(part(ok("jwt", "sign", "--key", ec.toString(), "--claim", "a=1").out().strip(), 0).get("alg").asText()).isEqualTo("ES256");
        assertThat(part(ok("jwt", "sign", "--key", dir.resolve("rsa.jwk.json").toString(), "--claim", "a=1").out().strip(), 0)
                .get("alg").asText()).as("the JWK's alg").isEqualTo("RS256");
        Cli.Result r = cli.raw("jwt", "sign", "--key", rsa.toString(), "--claim", "a=1");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err().lines().findFirst().orElseThrow())
                .isEqualTo("latch: give --alg: the RSA 2048 key fits RS256, RS384, RS512, PS256, PS384, PS512");
    }

    @Test
    void clientAssertionPresetIsMadeByTheClientLibraryWithIssSubJtiAndAShortExp() throws Exception {
        String url = "https://fhir.example.org/oauth2/token";
        String first = ok("jwt", "sign", "--client-assertion", "--client-id", "my-app", "--aud", url, "--key", ec.toString(),
                "--x5t-s256").out().strip();
        String second = ok("jwt", "sign", "--client-assertion", "--client-id", "my-app", "--aud", url, "--key", ec.toString(),
                "--expires-in", "5m", "--claim", "scope=system/Patient.rs").out().strip();
        JsonNode claims = part(first, 1);
        assertThat(claims.get("iss").asText()).isEqualTo("my-app");
        assertThat(claims.get("sub").asText()).isEqualTo("my-app");
        assertThat(claims.get("aud").asText()).isEqualTo(url);
        assertThat(claims.get("iat").asLong()).isEqualTo(T);
        assertThat(claims.get("exp").asLong()).as("the library's default lifetime, 60 s").isEqualTo(T + 60);
        assertThat(claims.get("jti").asText()).hasSizeGreaterThanOrEqualTo(32);
        JsonNode header = part(first, 0);
        assertThat(header.get("alg").asText()).isEqualTo("ES256");
        assertThat(header.get("kid").asText()).isEqualTo("k1");
        X509Certificate cert = KeyFiles.certificates(KeyFiles.readKey(ec, null)).get(0);
        assertThat(header.get("x5t#S256").asText()).isEqualTo(KeyFiles.x5tS256(cert).toString());

        JsonNode later = part(second, 1);
        assertThat(later.get("exp").asLong()).isEqualTo(T + 300);
        assertThat(later.get("scope").asText()).isEqualTo("system/Patient.rs");
        assertThat(later.get("jti").asText()).as("a fresh jti each time").isNotEqualTo(claims.get("jti").asText());

        assertThat(verify(first, "--jwks", jwks.toString(), "--aud", url, "--iss", "my-app", "-q").exit()).isZero();

        String hmac = ok("jwt", "sign", "--client-assertion", "--client-id", "my-app", "--aud", url, "--secret", "${env:HS}",
                "--alg", "HS256").out().strip();
        assertThat(part(hmac, 0).toString()).isEqualTo("{\"alg\":\"HS256\"}");
        assertThat(verify(hmac, "--secret", "${env:HS}", "--aud", url, "--iss", "my-app", "-q").exit()).isZero();
    }

    @Test
    void clientAssertionPresetUsageErrors() {
        String url = "https://as.example/token";
        Map<List<String>, String> cases = new java.util.LinkedHashMap<>();
        cases.put(List.of("--aud", url), "latch: --client-assertion needs --client-id");
        cases.put(List.of("--client-id", "c"), "latch: --client-assertion needs exactly one --aud: the URL the assertion is posted to (or the issuer)");
        cases.put(List.of("--client-id", "c", "--aud", url, "--aud", "https://other"),
                "latch: --client-assertion needs exactly one --aud: the URL the assertion is posted to (or the issuer)");
        cases.put(List.of("--client-id", "c", "--aud", url, "--expires-in", "10m"),
                "latch: --client-assertion: --expires-in must be more than 0 and at most 5m (servers refuse longer-lived assertions)");
        cases.put(List.of("--client-id", "c", "--aud", url, "--jti"),
                "latch: --client-assertion makes jti, iat and exp itself and takes no --jti, --iat, --header or --x5c");
        cases.put(List.of("--client-id", "c", "--aud", url, "--claim", "exp=1"),
                "latch: --client-assertion sets exp itself (iss/sub: --iss, --sub; aud: --aud; exp: --expires-in)");
        cases.forEach((args, message) -> {
            List<String> all = new ArrayList<>(List.of("jwt", "sign", "--client-assertion", "--key", ec.toString()));
            all.addAll(args);
            Cli.Result r = cli.raw(all.toArray(String[]::new));
            assertThat(r.exit()).as(String.join(" ", args)).isEqualTo(2);
            assertThat(r.err().lines().findFirst().orElseThrow()).isEqualTo(message);
        });
        Cli.Result noCert = cli.raw("jwt", "sign", "--client-assertion", "--client-id", "c", "--aud", url, "--key", rsa.toString(),
                "--alg", "PS256", "--x5t-s256");
        assertThat(noCert.exit()).isEqualTo(1);
        assertThat(noCert.err()).isEqualTo("latch: x5t/x5t#S256 need the key's certificate: give it or load a key file that has one\n");
        assertThat(cli.raw("jwt", "sign", "--client-id", "c", "--key", ec.toString()).err())
                .startsWith("latch: --client-id applies to --client-assertion\n");
    }

    // ---------------------------------------------------------------- verify

    @Test
    void verifyOfAValidTokenPrintsWhatVerifiedItAndTheClaims() {
        String token = valid();
        Cli.Result r = verify(token, "--jwks", jwks.toString(), "--aud", "api", "--iss", "https://issuer.example");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.err()).isEmpty();
        assertThat(r.out()).startsWith("valid: ES256 signature verified with kid=k1; expires 2031-05-06T07:13:09Z (in 5m)\n{\n  \"iss\"");
        Cli.Result quiet = verify(token, "--key", dir.resolve("ec.crt.pem").toString(), "-q");
        assertThat(quiet.exit()).isZero();
        assertThat(quiet.out()).isEmpty();
        assertThat(cli.stdin(token).raw("jwt", "verify", "-", "--jwks", jwks.toString(), "-q").exit()).isZero();
    }

    @Test
    void verifyAcceptsEveryKeyFileForm() {
        String token = valid();
        for (String file : List.of("ec.key.pem", "ec.pub.pem", "ec.crt.pem", "ec.jwk.json", "ec.jwks.json")) {
            assertThat(verify(token, "--key", dir.resolve(file).toString(), "-q").exit()).as(file).isZero();
        }
        assertThat(verify(token, "--jwks", dir.resolve("ec.jwk.json").toString(), "-q").exit()).as("a JWK file as --jwks").isZero();
    }

    @Test
    void verifyChecksTimesWithTheSkew() throws Exception {
        String expired = token("{\"exp\":" + (T - 600) + "}");
        rejected("expired at 2031-05-06T06:58:09Z (10m ago)", expired, "--jwks", jwks.toString());
        String justExpired = token("{\"exp\":" + (T - 30) + "}");
        assertThat(verify(justExpired, "--jwks", jwks.toString()).exit()).as("within the default 60 s skew").isZero();
        rejected("expired at 2031-05-06T07:07:39Z (30s ago)", justExpired, "--jwks", jwks.toString(), "--skew", "0");
        assertThat(verify(expired, "--jwks", jwks.toString(), "--skew", "11m").exit()).isZero();
        rejected("expired at 2031-05-06T07:08:09Z (now)", token("{\"exp\":" + T + "}"), "--jwks", jwks.toString(), "--skew", "0");

        rejected("not yet valid: nbf is 2031-05-06T07:18:09Z (in 10m)", token("{\"nbf\":" + (T + 600) + "}"), "--jwks", jwks.toString());
        assertThat(verify(token("{\"nbf\":" + (T + 50) + "}"), "--jwks", jwks.toString()).exit()).isZero();
        rejected("not yet valid: issued in the future, iat is 2031-05-06T08:08:09Z (in 1h)", token("{\"iat\":" + (T + 3600) + "}"),
                "--jwks", jwks.toString());
        // jwt sign refuses a non-numeric exp, so this token is made directly
        com.nimbusds.jose.JWSObject stringExp = new com.nimbusds.jose.JWSObject(
                new com.nimbusds.jose.JWSHeader.Builder(com.nimbusds.jose.JWSAlgorithm.ES256).keyID("k1").type(com.nimbusds.jose.JOSEObjectType.JWT).build(),
                new com.nimbusds.jose.Payload("{\"exp\":\"tomorrow\"}"));
        stringExp.sign(new com.nimbusds.jose.crypto.ECDSASigner(com.nimbusds.jose.jwk.JWK.parse(Files.readString(ec)).toECKey()));
        rejected("malformed token: exp is not a number (tomorrow)", stringExp.serialize(), "--jwks", jwks.toString());
    }

    @Test
    void verifyOfATokenWithoutExpSaysSoAndRefusesItWhenExpIsRequired() {
        String noExp = token("{\"sub\":\"x\"}");
        Cli.Result accepted = verify(noExp, "--jwks", jwks.toString());
        assertThat(accepted.exit()).isZero();
        assertThat(accepted.out()).contains("; no exp");
        rejected("the token has no exp", noExp, "--jwks", jwks.toString(), "--require-exp");
    }

    @Test
    void verifyChecksIssuerAndAudience() {
        String token = valid();
        rejected("iss mismatch: expected https://other.example, the token has https://issuer.example", token,
                "--jwks", jwks.toString(), "--iss", "https://other.example");
        rejected("iss mismatch: expected https://issuer.example, the token has no iss", token("{\"sub\":\"x\"}"),
                "--jwks", jwks.toString(), "--iss", "https://issuer.example");
        rejected("aud mismatch: expected orders, the token has [api, other]", token, "--jwks", jwks.toString(), "--aud", "orders");
        assertThat(verify(token, "--jwks", jwks.toString(), "--aud", "orders", "--aud", "other").exit()).as("any of several").isZero();
        rejected("aud mismatch: expected api, the token has no aud", token("{\"sub\":\"x\"}"), "--jwks", jwks.toString(), "--aud", "api");
        rejected("aud mismatch: expected api, the token has apix", token("{\"aud\":\"apix\"}"), "--jwks", jwks.toString(), "--aud", "api");
    }

    @Test
    void verifySaysWhichKeyAndAlgorithmProblemRejectsAToken() throws Exception {
        String token = valid();
        String[] parts = token.split("\\.");
        String tampered = parts[0] + "." + b64("{\"sub\":\"mallory\",\"exp\":" + (T + 300) + "}") + "." + parts[2];
        rejected("signature does not verify with key kid=k1", tampered, "--jwks", jwks.toString());

        String unknownKid = token("{\"sub\":\"x\"}", "--kid", "k9");
        rejected("no key with kid k9 (the key set has kid=k1, kid=r1)", unknownKid, "--jwks", jwks.toString());
        assertThat(verify(unknownKid, "--key", ec.toString()).exit()).as("--key is the key to use, whatever the kid").isZero();

        rejected("alg none refused: the token is unsigned", b64("{\"alg\":\"none\"}") + "." + b64("{\"sub\":\"x\"}") + ".",
                "--jwks", jwks.toString());
        rejected("alg none refused: the token is unsigned", b64("{\"alg\":\"NONE\",\"kid\":\"k1\"}") + "." + b64("{\"sub\":\"x\"}") + "." + parts[2],
                "--jwks", jwks.toString());

        // an RSA signature whose header names the EC key
        String confused = ok("jwt", "sign", "--key", rsa.toString(), "--alg", "RS256", "--kid", "k1", "--claim", "a=1").out().strip();
        rejected("alg RS256 not allowed for key type EC P-256 (kid=k1)", confused, "--jwks", jwks.toString());
        rejected("alg RS256 not allowed for key type EC P-256 (kid=k1)", confused, "--key", ec.toString());

        // the RSA key is published with alg RS256: a PS256 signature by it is refused
        String ps256 = ok("jwt", "sign", "--key", rsa.toString(), "--alg", "PS256", "--kid", "r1", "--claim", "a=1").out().strip();
        rejected("alg PS256 not allowed for key kid=r1: the key is for alg RS256", ps256, "--jwks", jwks.toString());

        rejected("alg ES256 not allowed (allowed: ES384, RS256)", token, "--jwks", jwks.toString(), "--alg", "ES384", "--alg", "RS256");

        String hmac = ok("jwt", "sign", "--secret", "${env:HS}", "--alg", "HS256", "--kid", "k1", "--claim", "a=1").out().strip();
        rejected("alg HS256 refused: HMAC tokens are verified only with a shared secret (--secret), never with a public key", hmac,
                "--jwks", jwks.toString());

        String noKid = token("{\"sub\":\"x\"}", "--no-kid");
        assertThat(verify(noKid, "--jwks", jwks.toString()).exit()).as("without kid every fitting key is tried").isZero();
        String noKidTampered = noKid.split("\\.")[0] + "." + b64("{\"sub\":\"y\"}") + "." + noKid.split("\\.")[2];
        rejected("signature does not verify with key kid=k1", noKidTampered, "--jwks", jwks.toString());
        String es384 = ok("jwt", "sign", "--key", KeyGenerationFiles.ec384(cli, dir).toString(), "--no-kid", "--claim", "a=1").out().strip();
        rejected("no key fits alg ES384 (keys: kid=k1 EC P-256, kid=r1 RSA 2048 RS256)", es384, "--jwks", jwks.toString());
    }

    @Test
    void verifyWithASecretChecksHmacOnly() {
        String hmac = ok("jwt", "sign", "--secret", "${env:HS}", "--alg", "HS384", "--claim", "a=1").out().strip();
        cli.env("OTHER", "another shared secret, also long enough for HS384 at least: 48 bytes");
        assertThat(verify(hmac, "--secret", "${env:HS}", "-q").exit()).isZero();
        rejected("signature does not verify with the given secret", hmac, "--secret", "${env:OTHER}");
        rejected("signature cannot be checked: the secret is 9 bytes; HS384 needs at least 48 (RFC 7518 §3.2)", hmac, "--secret", "${env:SHORT}");
        rejected("alg ES256 refused: --secret verifies HMAC tokens only; give --key, --jwks or --issuer", valid(), "--secret", "${env:HS}");
        rejected("alg HS384 not allowed (allowed: HS256)", hmac, "--secret", "${env:HS}", "--alg", "HS256");
    }

    @Test
    void verifyOfMalformedAndEncryptedTokens() {
        rejected("malformed token: a JWT has 3 dot-separated parts (5 when encrypted), this has 1", "abc", "--jwks", jwks.toString());
        rejected("malformed token: it is encrypted (JWE, 5 parts); only signed tokens (JWS) can be verified",
                b64("{\"alg\":\"RSA-OAEP\",\"enc\":\"A128GCM\"}") + ".a.b.c.d", "--jwks", jwks.toString());
        rejected("malformed token: the header has no alg", b64("{\"kid\":\"k1\"}") + "." + b64("{}") + ".c2ln", "--jwks", jwks.toString());
        rejected("malformed token: the payload is not a JSON object of claims", b64("{\"alg\":\"ES256\"}") + "." + b64("hello") + ".c2ln",
                "--jwks", jwks.toString());
        rejected("malformed token: the signature is empty", b64("{\"alg\":\"ES256\"}") + "." + b64("{}") + ".", "--jwks", jwks.toString());
        rejected("header crit [\"exp\"] names extensions this verifier does not implement (RFC 7515 §4.1.11)",
                token("{\"a\":1}", "--header", "crit=[\"exp\"]", "--header", "exp=1"), "--jwks", jwks.toString());
    }

    @Test
    void verifyUsageErrors() {
        String token = valid();
        Map<List<String>, String> cases = new java.util.LinkedHashMap<>();
        cases.put(List.of(), "latch: Error: Missing required argument (specify one of these): (--jwks=FILE_OR_URL | --key=FILE | --issuer=URL | --secret=SECRET)");
        cases.put(List.of("--jwks", jwks.toString(), "--key", ec.toString()), "latch: Error: --jwks=FILE_OR_URL, --key=FILE are mutually exclusive (specify only one)");
        cases.put(List.of("--jwks", jwks.toString(), "--alg", "none"), "latch: --alg none: unsigned tokens are never accepted");
        cases.put(List.of("--jwks", jwks.toString(), "--alg", "HS256"), "latch: --alg HS256 is HMAC: give the shared secret with --secret (never a public key)");
        cases.put(List.of("--secret", "${env:HS}", "--alg", "RS256"), "latch: --alg RS256 is not HMAC; --secret verifies HS256, HS384 and HS512 only");
        cases.put(List.of("--jwks", jwks.toString(), "--alg", "XS256"), "latch: --alg: unsupported algorithm: XS256 (supported: RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512, Ed25519, EdDSA, HS256, HS384, HS512)");
        cases.put(List.of("--jwks", jwks.toString(), "--skew", "-5s"), "latch: Invalid value for option '--skew': not a duration such as 60s, 5m, 1h (was -5s)");
        cases.put(List.of("--issuer", "https://a.example", "--iss", "https://b.example"), "latch: --iss https://b.example differs from --issuer https://a.example");
        cases.put(List.of("--jwks", jwks.toString(), "--key-password", "${env:HS}"), "latch: --key-password applies to --key only");
        cases.forEach((args, message) -> {
            List<String> all = new ArrayList<>(List.of("jwt", "verify", token));
            all.addAll(args);
            Cli.Result r = cli.raw(all.toArray(String[]::new));
            assertThat(r.exit()).as(String.join(" ", args)).isEqualTo(2);
            assertThat(r.err().lines().toList()).containsExactly(message, "Try 'latch jwt verify --help' for more information.");
        });
    }

    @Test
    void verifyFailsInOneLineWhenTheKeysCannotBeHad() throws Exception {
        String token = valid();
        Files.writeString(dir.resolve("html.txt"), "<html>hi</html>");
        Files.writeString(dir.resolve("nokeys.json"), "{\"issuer\":\"x\"}");
        Files.writeString(dir.resolve("empty.json"), "{\"keys\":[]}");
        Map<List<String>, String> cases = new java.util.LinkedHashMap<>();
        cases.put(List.of("--jwks", dir.resolve("html.txt").toString()), dir.resolve("html.txt") + ": not a JWK Set (not a JSON object)");
        cases.put(List.of("--jwks", dir.resolve("nokeys.json").toString()), dir.resolve("nokeys.json") + ": not a JWK Set (no \"keys\" array)");
        cases.put(List.of("--jwks", dir.resolve("empty.json").toString()), dir.resolve("empty.json") + ": the JWK Set has no keys");
        cases.put(List.of("--jwks", dir.resolve("gone.json").toString()), dir.resolve("gone.json") + ": no such file");
        cases.put(List.of("--key", dir.resolve("html.txt").toString()), dir.resolve("html.txt") + ": not a key file: neither PEM, JWK/JWKS JSON, PKCS#12 nor JKS");
        cases.put(List.of("--jwks", "http://127.0.0.1:1/jwks"), "cannot reach http://127.0.0.1:1: connection refused");
        cases.put(List.of("--jwks", "https://"), "https://: not an http(s) URL");
        cases.forEach((args, message) -> {
            List<String> all = new ArrayList<>(List.of("jwt", "verify", token));
            all.addAll(args);
            Cli.Result r = cli.raw(all.toArray(String[]::new));
            assertThat(r.exit()).as(String.join(" ", args)).isEqualTo(1);
            assertThat(r.err()).isEqualTo("latch: " + message + "\n");
        });
    }

    /** A local HTTP endpoint answering {@code path} with {@code status}, content type and body. */
    String serve(String path, int status, String contentType, String body, String... headers) throws Exception {
        if (http == null) {
            http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            http.start();
        }
        http.createContext(path, exchange -> {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", contentType);
            for (int i = 0; i < headers.length; i += 2) exchange.getResponseHeaders().set(headers[i], headers[i + 1]);
            exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
            if (bytes.length > 0) exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        return "http://127.0.0.1:" + http.getAddress().getPort() + path;
    }

    @Test
    void verifyFetchesAJwkSetFromAUrlAndExplainsWhatWentWrongWithOne() throws Exception {
        String token = valid();
        String good = serve("/jwks", 200, "application/json", Files.readString(jwks));
        assertThat(verify(token, "--jwks", good, "-q").exit()).isZero();
        Map<String, String> cases = new java.util.LinkedHashMap<>();
        String missing = serve("/missing", 404, "text/plain", "nope");
        cases.put(missing, missing + ": HTTP 404 instead of the JWK Set");
        String html = serve("/html", 200, "text/html", "<html>login</html>");
        cases.put(html, html + ": not a JWK Set (not a JSON object; text/html)");
        String moved = serve("/moved", 302, "text/plain", "", "Location", "https://elsewhere.example/jwks");
        cases.put(moved, moved + ": HTTP 302 redirect to https://elsewhere.example/jwks; give the final URL");
        cases.forEach((url, message) -> {
            Cli.Result r = verify(token, "--jwks", url);
            assertThat(r.exit()).isEqualTo(1);
            assertThat(r.err()).isEqualTo("latch: " + message + "\n");
        });
    }

    @Test
    void verifyWithIssuerRefusesDiscoveryThatNamesAnotherIssuer() throws Exception {
        serve("/.well-known/openid-configuration", 200, "application/json", "{}");
        String base = "http://127.0.0.1:" + http.getAddress().getPort();
        http.removeContext("/.well-known/openid-configuration");
        serve("/.well-known/openid-configuration", 200, "application/json",
                "{\"issuer\":\"https://login.example\",\"jwks_uri\":\"" + base + "/jwks\"}");
        Cli.Result r = verify(valid(), "--issuer", base);
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("latch: the metadata at " + base + "/.well-known/openid-configuration names the issuer "
                + "https://login.example, not " + base + " as configured (they must match exactly)\n");
    }

    @Test
    void verifyWithIssuerAcceptsALatchAccessTokenAndChecksItsIss() throws Exception {
        try (TestServer server = TestServer.start()) {
            var client = server.basicClient("verify-me", "read");
            String basic = "Basic " + Base64.getEncoder().encodeToString(("verify-me:" + client.clientSecret()).getBytes(StandardCharsets.UTF_8));
            var response = server.postForm("/token", "grant_type=client_credentials&scope=read", "Authorization", basic);
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            String accessToken = JSON.readTree(response.body()).get("access_token").asText();
            Cli live = new Cli(null); // the server's tokens carry real times
            Cli.Result r = live.raw("jwt", "verify", accessToken, "--issuer", server.issuer());
            assertThat(r.exit()).as(r.err()).isZero();
            assertThat(r.out()).startsWith("valid: RS256 signature verified with kid=");
            assertThat(live.raw("jwt", "verify", accessToken, "--jwks", server.url("/jwks"), "--iss", server.issuer(), "-q").exit()).isZero();
            Cli.Result wrongAud = live.raw("jwt", "verify", accessToken, "--issuer", server.issuer(), "--aud", "https://not-for-me.example");
            assertThat(wrongAud.exit()).isEqualTo(1);
            assertThat(wrongAud.err()).startsWith("latch: invalid token: aud mismatch: expected https://not-for-me.example, the token has ");
            // a token of another issuer: its key is not in this issuer's JWKS
            Cli.Result foreign = live.raw("jwt", "verify", valid(), "--issuer", server.issuer());
            assertThat(foreign.exit()).isEqualTo(1);
            assertThat(foreign.err()).startsWith("latch: invalid token: no key with kid k1 (the key set has kid=");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"jwt", "jwt decode", "jwt verify", "jwt sign"})
    void everyJwtCommandHasHelpWithExitCodes(String command) {
        List<String> args = new ArrayList<>(List.of(command.split(" ")));
        args.add("--help");
        Cli.Result r = ok(args.toArray(String[]::new));
        assertThat(r.out()).contains("Usage: latch " + command).contains("Exit codes: 0");
    }

    /** A P-384 key file without kid in the JWK Set under test. */
    static final class KeyGenerationFiles {
        static Path ec384(Cli cli, Path dir) {
            Path prefix = dir.resolve("p384");
            assertThat(cli.raw("keys", "generate", "--alg", "ES384", "--out", prefix.toString(), "--format", "pem").exit()).isZero();
            return Path.of(prefix + ".key.pem");
        }
    }
}
