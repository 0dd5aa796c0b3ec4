package dev.latch.gateway;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import dev.latch.core.jose.JwsAlgorithms;
import dev.latch.core.jose.KeyGeneration;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * An issuer the test controls: metadata and JWKS on a loopback port, and RS256 tokens of any shape
 * (expired, wrong audience, unknown key, {@code alg: none}, HMAC with the public key…) so every refusal
 * path of the gateway can be shown with a real signature check.
 */
public final class FakeIssuer implements AutoCloseable {

    public static final String AUDIENCE = "https://api.example.org";

    private final HttpServer server;
    private volatile JWK key = KeyGeneration.generate(JWSAlgorithm.RS256);
    private final java.util.Set<String> revoked = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final java.util.concurrent.atomic.AtomicInteger introspections = new java.util.concurrent.atomic.AtomicInteger();
    private volatile int smartConfigurationStatus = 200;
    private volatile String smartConfigurationIssuer;

    private FakeIssuer(HttpServer server) {
        this.server = server;
    }

    public static FakeIssuer start() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
            FakeIssuer issuer = new FakeIssuer(server);
            server.createContext("/.well-known/openid-configuration", ex -> issuer.answer(ex, "{\"issuer\":\"" + issuer.issuer()
                    + "\",\"jwks_uri\":\"" + issuer.issuer() + "/jwks\",\"token_endpoint\":\"" + issuer.issuer() + "/token\""
                    + ",\"introspection_endpoint\":\"" + issuer.issuer() + "/introspect\"}"));
            server.createContext("/.well-known/smart-configuration", issuer::smartConfiguration);
            server.createContext("/introspect", issuer::introspect);
            server.createContext("/jwks", ex -> issuer.answer(ex, new JWKSet(issuer.key.toPublicJWK()).toString()));
            server.start();
            return issuer;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** SMART App Launch 2.2 discovery as Latch serves it under its issuer. */
    private void smartConfiguration(com.sun.net.httpserver.HttpExchange ex) throws IOException {
        if (smartConfigurationStatus != 200) {
            ex.sendResponseHeaders(smartConfigurationStatus, -1);
            ex.close();
            return;
        }
        String iss = smartConfigurationIssuer != null ? smartConfigurationIssuer : issuer();
        answer(ex, "{\"issuer\":\"" + iss + "\",\"jwks_uri\":\"" + issuer() + "/jwks\",\"authorization_endpoint\":\"" + issuer()
                + "/authorize\",\"token_endpoint\":\"" + issuer() + "/token\",\"introspection_endpoint\":\"" + issuer()
                + "/introspect\",\"revocation_endpoint\":\"" + issuer() + "/revoke\",\"management_endpoint\":\"" + issuer()
                + "/account\",\"capabilities\":[\"launch-ehr\",\"permission-v2\"],\"code_challenge_methods_supported\":[\"S256\"]}");
    }

    /** RFC 7662: active unless {@link #revoke}d. */
    private void introspect(com.sun.net.httpserver.HttpExchange ex) throws IOException {
        introspections.incrementAndGet();
        String form = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        String token = null;
        for (String pair : form.split("&")) {
            if (pair.startsWith("token=")) token = java.net.URLDecoder.decode(pair.substring(6), StandardCharsets.UTF_8);
        }
        boolean active = token != null && !revoked.contains(token);
        answer(ex, active ? "{\"active\":true,\"token_type\":\"Bearer\"}" : "{\"active\":false}");
    }

    /** Revokes {@code token}: introspection answers {@code active: false} from now on. */
    public void revoke(String token) {
        revoked.add(token);
    }

    public int introspections() {
        return introspections.get();
    }

    /** The status {@code /.well-known/smart-configuration} answers (200 by default). */
    public void smartConfigurationStatus(int status) {
        this.smartConfigurationStatus = status;
    }

    /** The {@code issuer} the SMART configuration names (the issuer's own by default; null restores it). */
    public void smartConfigurationIssuer(String issuer) {
        this.smartConfigurationIssuer = issuer;
    }

    private void answer(com.sun.net.httpserver.HttpExchange ex, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(200, body.length);
        ex.getResponseBody().write(body);
        ex.close();
    }

    public String issuer() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Replaces the signing key (the JWKS then publishes only the new one). */
    public void rotate() {
        key = KeyGeneration.generate(JWSAlgorithm.RS256);
    }

    /** A valid at+jwt for {@link #AUDIENCE}, changed by {@code claims}. */
    public String token(Consumer<JWTClaimsSet.Builder> claims) {
        return sign(JWSAlgorithm.RS256, key, "at+jwt", claims);
    }

    public String token(String subject, String scope, List<String> roles) {
        return token(c -> c.subject(subject).claim("scope", scope).claim("roles", roles).claim("client_id", "app-" + subject)
                .claim("email", subject + "@example.org").claim("preferred_username", subject));
    }

    /** Signed by a key the JWKS does not hold. */
    public String tokenWithUnknownKey() {
        return sign(JWSAlgorithm.RS256, KeyGeneration.generate(JWSAlgorithm.RS256), "at+jwt", c -> {});
    }

    /** HS256 with the issuer's public RSA key as the HMAC secret (the classic key-confusion attack). */
    public String tokenHmacWithPublicKey() {
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(key.getKeyID()).type(new JOSEObjectType("at+jwt")).build(),
                    claims(c -> {}));
            byte[] secret = key.toRSAKey().toRSAPublicKey().getEncoded();
            jwt.sign(new MACSigner(secret));
            return jwt.serialize();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code alg: none}. */
    public String unsignedToken() {
        return new com.nimbusds.jwt.PlainJWT(claims(c -> {})).serialize();
    }

    private String sign(JWSAlgorithm alg, JWK signingKey, String typ, Consumer<JWTClaimsSet.Builder> claims) {
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(alg).keyID(signingKey.getKeyID()).type(new JOSEObjectType(typ)).build(), claims(claims));
            jwt.sign(JwsAlgorithms.signer(signingKey, alg));
            return jwt.serialize();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private JWTClaimsSet claims(Consumer<JWTClaimsSet.Builder> change) {
        Instant now = Instant.now();
        JWTClaimsSet.Builder b = new JWTClaimsSet.Builder().issuer(issuer()).audience(AUDIENCE).subject("alice")
                .issueTime(Date.from(now)).expirationTime(Date.from(now.plusSeconds(300))).jwtID(java.util.UUID.randomUUID().toString());
        change.accept(b);
        return b.build();
    }

    public static Map<String, String> bearer(String token) {
        return Map.of("Authorization", "Bearer " + token);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
