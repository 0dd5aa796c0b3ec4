package dev.latch.cli.jwt;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.latch.cli.Cli;
import dev.latch.server.peers.NodePeersTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The JOSE interop matrix against npm {@code jose} (peers/node/jose-matrix.mjs), every algorithm in one
 * JVM and one node process: {@code latch keys generate} makes a key, {@code latch jwt sign} signs a JWT
 * and a client assertion ({@code --client-assertion}), jose verifies them (and rejects the JWT tampered); jose signs with keys of its own, and {@code latch jwt verify}
 * accepts its valid tokens and rejects tampered, expired, wrong-audience and {@code alg: none} ones, each
 * with its one-line reason. The CLI runs in-process ({@link Cli}).
 */
class JoseInteropTest {

    static final List<String> ALGORITHMS = List.of("RS256", "RS384", "RS512", "PS256", "PS384", "PS512",
            "ES256", "ES384", "ES512", "Ed25519", "EdDSA", "HS256");
    static final ObjectMapper JSON = new ObjectMapper();
    static final String SUMMARY = "JOSE-MATRIX-SUMMARY ";
    static final Duration NODE_TIMEOUT = Duration.ofMinutes(3);

    @TempDir
    Path dir;

    final String secret = randomSecret();
    final Cli cli = new Cli(null).env("MATRIX_SECRET", secret);

    static String randomSecret() {
        byte[] bytes = new byte[48];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    Cli.Result ok(List<String> args) {
        Cli.Result r = cli.raw(args.toArray(String[]::new));
        assertThat(r.exit()).as("%s\nstdout: %s\nstderr: %s", String.join(" ", args), r.out(), r.err()).isZero();
        return r;
    }

    static String tamper(String token) {
        String[] parts = token.split("\\.");
        String claims = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8).replace("\"matrix\"", "\"mallory\"");
        assertThat(claims).contains("mallory");
        return parts[0] + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(claims.getBytes(StandardCharsets.UTF_8)) + "." + parts[2];
    }

    /** Keys and tokens made by the CLI for one algorithm, as node reads them. */
    Map<String, Object> latchCase(String alg) throws Exception {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("alg", alg);
        List<String> sign = new ArrayList<>(List.of("jwt", "sign", "--alg", alg, "--iss", "latch-cli", "--sub", "matrix", "--aud", "jose",
                "--jti", "--expires-in", "5m", "--claim", "n=42", "--claim", "roles=[\"a\",\"b\"]"));
        List<String> keyArgs;
        if (alg.startsWith("HS")) {
            keyArgs = List.of("--secret", "${env:MATRIX_SECRET}");
            c.put("secret", secret);
        } else {
            Path prefix = dir.resolve(alg);
            List<String> generate = new ArrayList<>(List.of("keys", "generate", "--alg", alg, "--out", prefix.toString()));
            if (alg.equals("PS256")) {
                generate.add("--cert"); // as for Entra ID certificate credentials: x5t#S256 in the header
                sign.addAll(List.of("--x5t-s256", "--cert", prefix + ".crt.pem"));
            }
            ok(generate);
            keyArgs = List.of("--key", prefix + ".key.pem");
            c.put("jwks", JSON.readTree(Path.of(prefix + ".jwks.json").toFile()));
        }
        sign.addAll(keyArgs);
        String token = ok(sign).out().strip();
        // the client-assertion preset (RFC 7523 §3, made by the client library's ClientAssertion) with the same key
        List<String> assertion = new ArrayList<>(List.of("jwt", "sign", "--client-assertion", "--client-id", "matrix-client",
                "--aud", "https://as.example/token", "--alg", alg, "--expires-in", "5m"));
        assertion.addAll(keyArgs);
        c.put("assertion", ok(assertion).out().strip());
        c.put("assertionClientId", "matrix-client");
        c.put("assertionAudience", "https://as.example/token");
        c.put("token", token);
        c.put("tampered", tamper(token));
        c.put("issuer", "latch-cli");
        c.put("audience", "jose");
        c.put("claims", Map.of("n", 42, "roles", List.of("a", "b"), "sub", "matrix"));
        return c;
    }

    @Test
    void joseVerifiesWhatLatchSignsAndLatchVerifiesWhatJoseSignsForEveryAlgorithm() throws Exception {
        Path peers = NodePeersTest.peersDirectory();
        String node = NodePeersTest.requireNode();
        NodePeersTest.installWhenMissing(peers);

        List<Map<String, Object>> cases = new ArrayList<>();
        for (String alg : ALGORITHMS) {
            cases.add(latchCase(alg));
        }
        Path output = dir.resolve("jose-tokens.json");
        Path input = dir.resolve("matrix.json");
        JSON.writeValue(input.toFile(), Map.of("output", output.toString(), "cases", cases));

        NodePeersTest.RunResult run = NodePeersTest.run(List.of(node, "jose-matrix.mjs"), peers,
                Map.of("LATCH_JOSE_MATRIX", input.toString()), NODE_TIMEOUT);
        String log = String.join("\n", run.lines());
        JsonNode summary = run.lines().stream().filter(l -> l.startsWith(SUMMARY)).reduce((a, b) -> b)
                .map(l -> readTree(l.substring(SUMMARY.length()))).orElse(null);
        assertThat(summary).as("node printed no summary; its output:\n%s", log).isNotNull();
        assertThat(summary.get("failed")).as("failed jose cases; node output:\n%s", log).isEmpty();
        assertThat(run.exitCode()).as("node exit code; output:\n%s", log).isZero();
        List<String> passed = new ArrayList<>();
        summary.get("passed").forEach(n -> passed.add(n.asText()));
        for (String alg : ALGORITHMS) {
            assertThat(passed).contains("jose verifies latch " + alg, "jose rejects tampered latch " + alg, "jose signs " + alg,
                    "jose verifies latch client assertion " + alg);
        }

        JsonNode joseTokens = JSON.readTree(output.toFile());
        List<String> checked = new ArrayList<>();
        for (String alg : ALGORITHMS) {
            JsonNode entry = joseTokens.get(alg);
            assertThat(entry).as("jose output for %s", alg).isNotNull();
            List<String> keyOption;
            String keyName;
            if (entry.has("secret")) {
                cli.env("JOSE_SECRET", entry.get("secret").asText());
                keyOption = List.of("--secret", "${env:JOSE_SECRET}");
                keyName = "the shared secret";
            } else {
                Path jwks = dir.resolve("jose-" + alg + ".jwks.json");
                JSON.writeValue(jwks.toFile(), entry.get("jwks"));
                keyOption = List.of("--jwks", jwks.toString());
                keyName = "kid=" + entry.get("kid").asText();
            }
            JsonNode tokens = entry.get("tokens");

            Cli.Result valid = verify(tokens.get("valid").asText(), keyOption);
            assertThat(valid.exit()).as("%s valid: %s", alg, valid.err()).isZero();
            assertThat(valid.out()).startsWith("valid: " + alg + " signature verified with " + keyName + "; expires ");
            assertThat(valid.out()).contains("\"iss\": \"jose\"", "\"n\": 7");

            rejected(alg, tokens.get("tampered").asText(), keyOption,
                    entry.has("secret") ? "signature does not verify with the given secret" : "signature does not verify with key " + keyName);
            Cli.Result expired = verify(tokens.get("expired").asText(), keyOption);
            assertThat(expired.exit()).as("%s expired", alg).isEqualTo(1);
            assertThat(expired.err()).as("%s expired", alg).matches("latch: invalid token: expired at \\S+Z \\((59m \\d+s|1h) ago\\)\n");
            rejected(alg, tokens.get("wrongAudience").asText(), keyOption, "aud mismatch: expected latch, the token has someone-else");
            rejected(alg, tokens.get("none").asText(), keyOption, "alg none refused: the token is unsigned");
            checked.add(alg);
        }
        assertThat(checked).containsExactlyElementsOf(ALGORITHMS);
    }

    Cli.Result verify(String token, List<String> keyOption) {
        List<String> args = new ArrayList<>(List.of("jwt", "verify", token, "--iss", "jose", "--aud", "latch"));
        args.addAll(keyOption);
        return cli.raw(args.toArray(String[]::new));
    }

    void rejected(String alg, String token, List<String> keyOption, String reason) {
        Cli.Result r = verify(token, keyOption);
        assertThat(r.exit()).as("%s: %s", alg, reason).isEqualTo(1);
        assertThat(r.err()).as(alg).isEqualTo("latch: invalid token: " + reason + "\n");
        assertThat(r.out()).isEmpty();
    }

    private static JsonNode readTree(String json) {
        try {
            return JSON.readTree(json);
        } catch (java.io.IOException e) {
            throw new AssertionError("unparsable summary from node: " + json, e);
        }
    }
}
