package dev.latch.cli.doctor;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.latch.cli.Cli;
import dev.latch.core.jose.JwsAlgorithms;
import dev.latch.core.jose.KeyGeneration;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code latch doctor token JWT --issuer URL}: each reason a verifier would reject a token, all at once. */
class DoctorTokenCommandTest {

    static final Instant NOW = FakeProvider.NOW;
    static final String API = "https://api.example.test";

    FakeProvider provider;
    Cli cli;

    @BeforeEach
    void start() {
        provider = new FakeProvider();
        cli = new Cli(null).clock(Clock.fixed(NOW, ZoneOffset.UTC));
    }

    @AfterEach
    void stop() {
        provider.close();
    }

    /** A token as the provider would issue it: RS256 with its key, iss exact, aud API, valid for 5 minutes around NOW. */
    String token(JWK key, JWSAlgorithm alg, Consumer<JWTClaimsSet.Builder> claims) throws Exception {
        JWTClaimsSet.Builder c = new JWTClaimsSet.Builder().issuer(provider.issuer).subject("client-1").audience(API)
                .issueTime(Date.from(NOW.minusSeconds(60))).expirationTime(Date.from(NOW.plusSeconds(240))).jwtID("j-1");
        claims.accept(c);
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(alg).keyID(key.getKeyID()).type(new JOSEObjectType("at+jwt")).build(), c.build());
        jwt.sign(JwsAlgorithms.signer(key, alg));
        return jwt.serialize();
    }

    String token(Consumer<JWTClaimsSet.Builder> claims) throws Exception {
        return token(FakeProvider.RS256, JWSAlgorithm.RS256, claims);
    }

    Cli.Result doctor(String token, String... extra) {
        String[] args = new String[extra.length + 6];
        args[0] = "doctor";
        args[1] = "token";
        args[2] = token;
        args[3] = "--issuer";
        args[4] = provider.issuer;
        args[5] = "--insecure-localhost";
        System.arraycopy(extra, 0, args, 6, extra.length);
        return cli.raw(args);
    }

    static void assertRejectedFor(Cli.Result r, String finding) {
        assertThat(r.out()).as(r.out()).contains("[FAIL] " + finding);
        assertThat(r.out()).contains("latch doctor: the token would be rejected");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).isEmpty();
    }

    @Test
    void validTokenThenAcceptedWithEveryCheckOk() throws Exception {
        Cli.Result r = doctor(token(c -> {}), "--aud", API);
        assertThat(r.exit()).as(r.out()).isZero();
        assertThat(r.out()).doesNotContain("[FAIL]").doesNotContain("[WARN]")
                .contains("[OK]   alg: RS256")
                .contains("[OK]   kid: \"" + FakeProvider.RS256.getKeyID() + "\" is in the JWKS")
                .contains("[OK]   signature: verifies with key " + FakeProvider.RS256.getKeyID() + " (RS256)")
                .contains("[OK]   iss: " + provider.issuer)
                .contains("[OK]   aud: includes " + API)
                .contains("[OK]   exp: 2030-01-02T03:08:05Z (in 4 min 0 s)")
                .contains("latch doctor: the token would be accepted (0 FAIL, 0 WARN,");
    }

    @Test
    void tokenFromStandardInputThenChecked() throws Exception {
        Cli.Result r = cli.stdin(token(c -> {}) + "\n").raw("doctor", "token", "-", "--issuer", provider.issuer, "--insecure-localhost");
        assertThat(r.exit()).as(r.out()).isZero();
    }

    @Test
    void expiredThenRejectedSayingHowLongAgo() throws Exception {
        String t = token(c -> c.issueTime(Date.from(NOW.minusSeconds(3600))).expirationTime(Date.from(NOW.minusSeconds(600))));
        Cli.Result r = doctor(t);
        assertRejectedFor(r, "exp: the token expired 10 min 0 s ago (exp 2030-01-02T02:54:05Z)");
    }

    @Test
    void expiredWithinLeewayThenWarnAndAccepted() throws Exception {
        Cli.Result r = doctor(token(c -> c.expirationTime(Date.from(NOW.minusSeconds(20)))));
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("[WARN] exp: the token expired 20 s ago (exp 2030-01-02T03:03:45Z), accepted only within the 60 s leeway");
    }

    @Test
    void notYetValidThenRejected() throws Exception {
        assertRejectedFor(doctor(token(c -> c.notBeforeTime(Date.from(NOW.plusSeconds(300))))),
                "nbf: the token is not valid before 2030-01-02T03:09:05Z (in 5 min 0 s)");
    }

    @Test
    void issuedInTheFutureThenRejected() throws Exception {
        assertRejectedFor(doctor(token(c -> c.issueTime(Date.from(NOW.plusSeconds(120))))),
                "iat: the token was issued in the future (2030-01-02T03:06:05Z, in 2 min 0 s)");
    }

    @Test
    void noExpThenRejected() throws Exception {
        assertRejectedFor(doctor(token(c -> c.expirationTime(null))), "exp: the token has no exp");
    }

    @Test
    void otherIssuerThenRejected() throws Exception {
        assertRejectedFor(doctor(token(c -> c.issuer(provider.issuer + "/"))),
                "iss: the token was issued by \"" + provider.issuer + "/\", not by \"" + provider.issuer + "\" (they differ by a trailing slash)");
    }

    @Test
    void otherAudienceThenRejected() throws Exception {
        assertRejectedFor(doctor(token(c -> {}), "--aud", "https://other.example"),
                "aud: the token is meant for [" + API + "], not for \"https://other.example\"");
    }

    @Test
    void kidNotInJwksThenRejectedListingThePublishedKids() throws Exception {
        JWK stranger = KeyGeneration.generate(JWSAlgorithm.RS256);
        Cli.Result r = doctor(token(stranger, JWSAlgorithm.RS256, c -> {}));
        assertRejectedFor(r, "kid: \"" + stranger.getKeyID() + "\" is not in the issuer's JWKS (it has "
                + FakeProvider.RS256.getKeyID() + ", " + FakeProvider.ES256.getKeyID() + ")");
    }

    @Test
    void signatureAlteredThenRejected() throws Exception {
        String t = token(c -> {});
        String[] parts = t.split("\\.");
        String altered = parts[0] + "." + token(c -> c.subject("admin")).split("\\.")[1] + "." + parts[2];
        assertRejectedFor(doctor(altered), "signature: does not verify with the issuer's key " + FakeProvider.RS256.getKeyID());
    }

    @Test
    void algorithmNotAdvertisedThenRejected() throws Exception {
        JWK ps = FakeProvider.RS256;
        assertRejectedFor(doctor(token(ps, JWSAlgorithm.PS384, c -> {})),
                "alg: PS384 is not among the algorithms the issuer's metadata advertises (RS256, ES256)");
    }

    @Test
    void hmacTokenThenRejected() throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), new JWTClaimsSet.Builder().issuer(provider.issuer)
                .expirationTime(Date.from(NOW.plusSeconds(60))).build());
        jwt.sign(new MACSigner("0123456789abcdef0123456789abcdef"));
        assertRejectedFor(doctor(jwt.serialize()), "alg: HS256 is an HMAC");
    }

    @Test
    void notAJwtThenRejectedAsOpaque() {
        assertRejectedFor(doctor("2YotnFZFEjr1zCsicMWpAA"), "token: is not a JWT: it has 1 dot-separated part instead of 3");
    }

    @Test
    void encryptedJwtThenRejected() {
        assertRejectedFor(doctor("eyJhbGciOiJSU0EtT0FFUCJ9.a.b.c.d"), "token: is an encrypted JWT (JWE, 5 parts)");
    }

    @Test
    void headerNotJsonThenRejected() {
        assertRejectedFor(doctor("bm90IGpzb24.e30.c2ln"), "token: the header is not a JSON object");
    }

    @Test
    void jwksUnavailableThenSignatureUncheckedButClaimsStillChecked() throws Exception {
        provider.answer("/jwks", 500, "text/plain", "boom");
        Cli.Result r = doctor(token(c -> c.expirationTime(Date.from(NOW.minusSeconds(3600)))));
        assertRejectedFor(r, "jwks: jwks_uri " + provider.issuer + "/jwks answered 500");
        assertThat(r.out()).contains("[FAIL] signature: cannot be checked: the issuer's JWKS is not available")
                .contains("[FAIL] exp: the token expired 1 h 0 min ago");
    }

    @Test
    void severalProblemsThenEachReported() throws Exception {
        String t = token(c -> c.issuer("https://elsewhere.example").audience("https://x").expirationTime(Date.from(NOW.minus(Duration.ofDays(2)))));
        Cli.Result r = doctor(t, "--aud", API);
        assertThat(r.out()).contains("[FAIL] iss:", "[FAIL] aud:", "[FAIL] exp:").contains("(3 FAIL,");
        assertThat(r.exit()).isEqualTo(1);
    }

    @Test
    void usageErrorsExitTwo() {
        assertThat(cli.raw("doctor", "token", "x.y.z").exit()).as("--issuer missing").isEqualTo(2);
        assertThat(cli.raw("doctor", "token", "--issuer", provider.issuer).exit()).as("JWT missing").isEqualTo(2);
        assertThat(cli.raw("doctor", "token", "x.y.z", "--issuer", "nope").exit()).isEqualTo(2);
    }
}
