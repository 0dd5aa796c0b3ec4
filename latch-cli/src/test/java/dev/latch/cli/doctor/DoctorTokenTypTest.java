package dev.latch.cli.doctor;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.latch.cli.Cli;
import dev.latch.cli.Poll;
import dev.latch.core.jose.JwsAlgorithms;
import dev.latch.server.TestServer;
import dev.latch.server.client.Client;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code latch doctor token --refusal TEXT}: a typ refusal (Spring Security's, Nimbus's) recognised, with the profile that fixes it. */
class DoctorTokenTypTest {

    static final String API = "https://api.example.test";
    /** Spring Boot 4.0.7's answer to a Latch token typed at+jwt, as latch-spring-test sees it. */
    static final String SPRING_REFUSAL = "Bearer error=\"invalid_token\", error_description=\"An error occurred while attempting to decode "
            + "the Jwt: the given typ value needs to be one of [JWT]\", error_uri=\"https://tools.ietf.org/html/rfc6750#section-3.1\"";

    private static String signed(FakeProvider provider, JOSEObjectType typ, String... audience) throws Exception {
        JWTClaimsSet claims = new JWTClaimsSet.Builder().issuer(provider.issuer).subject("client-1").audience(List.of(audience))
                .issueTime(Date.from(FakeProvider.NOW.minusSeconds(60))).expirationTime(Date.from(FakeProvider.NOW.plusSeconds(240))).build();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(FakeProvider.RS256.getKeyID()).type(typ).build(), claims);
        jwt.sign(JwsAlgorithms.signer(FakeProvider.RS256, JWSAlgorithm.RS256));
        return jwt.serialize();
    }

    private static Cli.Result doctor(FakeProvider provider, String token, String... extra) {
        List<String> args = new java.util.ArrayList<>(List.of("doctor", "token", token, "--issuer", provider.issuer, "--insecure-localhost"));
        args.addAll(List.of(extra));
        return new Cli(null).clock(Clock.fixed(FakeProvider.NOW, ZoneOffset.UTC)).raw(args.toArray(String[]::new));
    }

    @Test
    void springsRefusalOfAnAtJwtTokenNamesTheJwtProfileForItsAudience() throws Exception {
        try (FakeProvider provider = new FakeProvider()) {
            Cli.Result r = doctor(provider, signed(provider, new JOSEObjectType("at+jwt"), API), "--refusal", SPRING_REFUSAL);
            assertThat(r.exit()).as(r.out()).isEqualTo(1);
            assertThat(r.out()).contains("[FAIL] typ: the token is typed at+jwt, and the verifier (Spring Security) accepts only JWT\n"
                    + "       fix: issue this API's tokens under the jwt profile: `latch resources set " + API + " --token-profile jwt`, "
                    + "or in Latch's configuration `resources: [{uri: " + API + ", token-profile: jwt}]`; "
                    + "or tokens.default-profile: jwt for every audience without a profile of its own");
        }
    }

    @Test
    void withSeveralAudiencesTheFixSaysEveryOneMustBeJwt() throws Exception {
        try (FakeProvider provider = new FakeProvider()) {
            Cli.Result r = doctor(provider, signed(provider, new JOSEObjectType("at+jwt"), API, "https://b.example"),
                    "--refusal", "the given typ value needs to be one of [JWT]");
            assertThat(r.out()).contains("for each of its audiences [" + API + ", https://b.example] (a token is typ JWT only when every audience is jwt)");
        }
    }

    @Test
    void nimbusRefusalOfATypJwtTokenNamesTheRfc9068Profile() throws Exception {
        try (FakeProvider provider = new FakeProvider()) {
            Cli.Result r = doctor(provider, signed(provider, JOSEObjectType.JWT, API), "--refusal", "JOSE header typ (type) JWT not allowed");
            assertThat(r.exit()).isEqualTo(1);
            assertThat(r.out()).contains("[FAIL] typ: the token is typed JWT, and the verifier (Nimbus JOSE+JWT) accepts only at+jwt")
                    .contains("`latch resources set " + API + " --token-profile rfc9068`")
                    .doesNotContain("tokens.default-profile: jwt");
        }
    }

    @Test
    void aRefusalThatTheTokensTypSatisfiesOrThatIsAboutSomethingElseIsNoTypFailure() throws Exception {
        try (FakeProvider provider = new FakeProvider()) {
            Cli.Result accepted = doctor(provider, signed(provider, JOSEObjectType.JWT, API), "--refusal", SPRING_REFUSAL);
            assertThat(accepted.exit()).as(accepted.out()).isZero();
            assertThat(accepted.out()).contains("[OK]   typ: JWT is a type the verifier accepts; the refusal was about another token");

            Cli.Result other = doctor(provider, signed(provider, JOSEObjectType.JWT, API), "--refusal", "Jwt expired at 2030-01-01T00:00:00Z");
            assertThat(other.exit()).isZero();
            assertThat(other.out()).contains("[WARN] refusal: not a typ refusal the doctor knows: Jwt expired at 2030-01-01T00:00:00Z");
        }
    }

    @Test
    void withoutARefusalAnAtJwtTokenIsOkWithTheSpringHint() throws Exception {
        try (FakeProvider provider = new FakeProvider()) {
            Cli.Result r = doctor(provider, signed(provider, new JOSEObjectType("at+jwt"), API));
            assertThat(r.exit()).isZero();
            assertThat(r.out()).contains("[OK]   typ: at+jwt (RFC 9068 §2.1); verifiers that accept only JWT, such as Spring Security's default, "
                    + "refuse it with \"the given typ value needs to be one of [JWT]\" (see --refusal)");
        }
    }

    @Test
    void theFixTheDoctorNamesMakesARealLatchTokenPassTheSameRefusal() throws Exception {
        try (TestServer latch = TestServer.start()) {
            String secret = latch.register(new Client.Builder().clientId("caller").allowedResources(List.of(API)).build()).clientSecret();
            Cli cli = new Cli(null);
            Cli.Result before = cli.raw("doctor", "token", token(latch, secret), "--issuer", latch.issuer(), "--insecure-localhost",
                    "--refusal", SPRING_REFUSAL);
            assertThat(before.exit()).as(before.out()).isEqualTo(1);
            assertThat(before.out()).contains("[FAIL] typ:").contains("`latch resources set " + API + " --token-profile jwt`");
            assertThat(before.out().lines().filter(l -> l.startsWith("[FAIL]")).toList()).hasSize(1);

            assertThat(new Cli(latch.data()).run("resources", "set", API, "--token-profile", "jwt").exit()).isZero();
            Cli.Result after = Poll.until(Duration.ofSeconds(5), () -> {
                Cli.Result r = cli.raw("doctor", "token", token(latch, secret), "--issuer", latch.issuer(), "--insecure-localhost",
                        "--refusal", SPRING_REFUSAL);
                return r.exit() == 0 ? r : null;
            });
            assertThat(after).isNotNull();
            assertThat(after.out()).contains("[OK]   typ: JWT is a type the verifier accepts");
        }
    }

    private static String token(TestServer latch, String secret) {
        String basic = "Basic " + Base64.getEncoder().encodeToString(("caller:" + secret).getBytes(StandardCharsets.UTF_8));
        try {
            return new ObjectMapper().readTree(latch.postForm("/token", "grant_type=client_credentials&resource="
                    + URLEncoder.encode(API, StandardCharsets.UTF_8), "Authorization", basic).body()).get("access_token").asText();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
