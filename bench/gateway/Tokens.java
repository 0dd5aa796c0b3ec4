// Helpers of bench/gateway.sh and bench/fhir.sh, run as a single-file source program on the Latch jar (JDK 21+, no compile step):
//   java -cp latch-cli/target/latch.jar bench/gateway/Tokens.java mint   JWK_FILE ISSUER AUDIENCE COUNT OUT [THREADS [CLAIM=VALUE...]]
//   java -cp latch-cli/target/latch.jar bench/gateway/Tokens.java verify JWK_FILE ISSUER AUDIENCE SECONDS THREADS jdk|native
//
// mint: COUNT distinct RS256 at+jwt access tokens (each its own jti, so its own signature), one per line,
//       valid for an hour; signed with the Amazon Corretto Crypto Provider when it loads (several times
//       faster than the JDK for RSA signing), else the JDK. CLAIM=VALUE (string claims) replace or add to the
//       defaults sub=bench-user client_id=bench-client scope=api.read, e.g. (bench/fhir.sh)
//       "scope=patient/*.rs" patient=p1.
// verify: the raw verification rate: one such token verified over and over with Nimbus RSASSAVerifier
//       (built once here; the gateway builds one per token) on THREADS threads, 3 s warm-up then SECONDS measured.
//       jdk = the JDK's providers (what `latch gateway` runs on: it does not install ACCP); native = ACCP.
//       Prints one line: "verify PROVIDER RATE_PER_S CPU_US_PER_VERIFY".
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.latch.core.crypto.CryptoProviders;
import java.io.BufferedWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Date;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

public class Tokens {

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "mint" -> mint(RSAKey.parse(Files.readString(Path.of(args[1]))), args[2], args[3], Integer.parseInt(args[4]),
                    Path.of(args[5]), args.length > 6 ? Integer.parseInt(args[6]) : Runtime.getRuntime().availableProcessors(),
                    List.of(args).subList(Math.min(args.length, 7), args.length));
            case "verify" -> verify(RSAKey.parse(Files.readString(Path.of(args[1]))), args[2], args[3], Integer.parseInt(args[4]),
                    Integer.parseInt(args[5]), args[6]);
            default -> throw new IllegalArgumentException("mint or verify");
        }
    }

    static JWSHeader header(RSAKey key) {
        return new JWSHeader.Builder(JWSAlgorithm.RS256).type(new JOSEObjectType("at+jwt")).keyID(key.getKeyID()).build();
    }

    static JWTClaimsSet claims(String issuer, String audience, long nowSeconds, String jti) {
        return new JWTClaimsSet.Builder().issuer(issuer).audience(audience).subject("bench-user")
                .claim("client_id", "bench-client").claim("scope", "api.read")
                .issueTime(new Date(nowSeconds * 1000)).expirationTime(new Date((nowSeconds + 3600) * 1000))
                .jwtID(jti).build();
    }

    static void mint(RSAKey key, String issuer, String audience, int count, Path out, int threads, List<String> extra) throws Exception {
        CryptoProviders.Selection provider = CryptoProviders.select(CryptoProviders.Mode.AUTO);
        long now = System.currentTimeMillis() / 1000;
        // The same token SignedJWT would make, without a JSON library per token: the header is fixed and the
        // claims differ only in jti, so the signature (the cost that cannot go) is nearly all the work.
        java.util.Base64.Encoder b64 = java.util.Base64.getUrlEncoder().withoutPadding();
        String head = header(key).toBase64URL().toString() + ".";
        java.util.Map<String, String> strings = new java.util.LinkedHashMap<>();
        strings.put("sub", "bench-user");
        strings.put("client_id", "bench-client");
        strings.put("scope", "api.read");
        for (String claim : extra) {
            int eq = claim.indexOf('=');
            if (eq < 1) throw new IllegalArgumentException("CLAIM=VALUE expected, not " + claim);
            strings.put(claim.substring(0, eq), claim.substring(eq + 1));
        }
        StringBuilder json = new StringBuilder("{\"iss\":" + jsonString(issuer) + ",\"aud\":" + jsonString(audience));
        strings.forEach((name, value) -> json.append(',').append(jsonString(name)).append(':').append(jsonString(value)));
        String claimsStart = json + ",\"iat\":" + now + ",\"exp\":" + (now + 3600) + ",\"jti\":\"";
        java.security.PrivateKey privateKey = key.toRSAPrivateKey();
        String[] tokens = new String[count];
        AtomicLong next = new AtomicLong();
        long t0 = System.nanoTime();
        Thread[] workers = new Thread[threads];
        AtomicReferenceArray<Throwable> failures = new AtomicReferenceArray<>(threads);
        for (int t = 0; t < threads; t++) {
            int id = t;
            workers[t] = new Thread(() -> {
                try {
                    java.security.Signature rsa = java.security.Signature.getInstance("SHA256withRSA");
                    for (long i; (i = next.getAndIncrement()) < count; ) {
                        String input = head + b64.encodeToString((claimsStart + UUID.randomUUID() + "\"}").getBytes(StandardCharsets.UTF_8));
                        rsa.initSign(privateKey);
                        rsa.update(input.getBytes(StandardCharsets.US_ASCII));
                        tokens[(int) i] = input + "." + b64.encodeToString(rsa.sign());
                    }
                } catch (Throwable e) {
                    failures.set(id, e);
                }
            });
            workers[t].start();
        }
        for (Thread w : workers) w.join();
        for (int t = 0; t < threads; t++) {
            if (failures.get(t) != null) throw new IllegalStateException(failures.get(t));
        }
        try (BufferedWriter w = Files.newBufferedWriter(out, StandardCharsets.US_ASCII)) {
            for (String token : tokens) {
                w.write(token);
                w.write('\n');
            }
        }
        // every token must pass the same checks the gateway makes: the last one is verified here with Nimbus
        SignedJWT last = SignedJWT.parse(tokens[count - 1]);
        if (!last.verify(new RSASSAVerifier(key.toRSAPublicKey())) || !last.getJWTClaimsSet().getAudience().contains(audience)) {
            throw new IllegalStateException("a minted token does not verify");
        }
        double s = (System.nanoTime() - t0) / 1e9;
        System.err.printf("minted %d tokens in %.1f s on %d threads (%s)%n", count, s, threads, provider.provider());
    }

    static String jsonString(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                default -> {
                    if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
                    else b.append(c);
                }
            }
        }
        return b.append('"').toString();
    }

    static void verify(RSAKey key, String issuer, String audience, int seconds, int threads, String provider) throws Exception {
        if (provider.equals("native")) {
            CryptoProviders.select(CryptoProviders.Mode.NATIVE);
        } else {
            CryptoProviders.select(CryptoProviders.Mode.JDK);
        }
        SignedJWT jwt = new SignedJWT(header(key), claims(issuer, audience, System.currentTimeMillis() / 1000, "raw"));
        jwt.sign(new RSASSASigner(key));
        JWSObject token = JWSObject.parse(jwt.serialize());
        byte[] input = token.getSigningInput();
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        AtomicLong counted = new AtomicLong();
        AtomicLong cpuNanos = new AtomicLong();
        AtomicReferenceArray<Throwable> failures = new AtomicReferenceArray<>(threads);
        long warmEnd = System.nanoTime() + 3_000_000_000L;
        long end = warmEnd + seconds * 1_000_000_000L;
        Thread[] workers = new Thread[threads];
        for (int t = 0; t < threads; t++) {
            int id = t;
            workers[t] = new Thread(() -> {
                try {
                    RSASSAVerifier verifier = new RSASSAVerifier(key.toRSAPublicKey());
                    while (System.nanoTime() < warmEnd) {
                        if (!verifier.verify(token.getHeader(), input, token.getSignature())) throw new IllegalStateException("bad");
                    }
                    long cpu0 = mx.getCurrentThreadCpuTime();
                    long n = 0;
                    while (System.nanoTime() < end) {
                        if (!verifier.verify(token.getHeader(), input, token.getSignature())) throw new IllegalStateException("bad");
                        n++;
                    }
                    cpuNanos.addAndGet(mx.getCurrentThreadCpuTime() - cpu0);
                    counted.addAndGet(n);
                } catch (Throwable e) {
                    failures.set(id, e);
                }
            });
            workers[t].start();
        }
        for (Thread w : workers) w.join();
        for (int t = 0; t < threads; t++) {
            if (failures.get(t) != null) throw new IllegalStateException(failures.get(t));
        }
        String name = List.of(java.security.Security.getProviders()).stream()
                .filter(p -> p.getService("Signature", "SHA256withRSA") != null).findFirst().map(p -> p.getName()).orElse("?");
        System.out.printf("verify %s %.0f %.2f%n", name, counted.get() / (double) seconds, cpuNanos.get() / 1e3 / counted.get());
    }
}
