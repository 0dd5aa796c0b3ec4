package dev.latch.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import dev.latch.core.secret.SecretReference;
import dev.latch.server.client.Client;
import dev.latch.server.client.ClientRegistry;
import dev.latch.server.client.StoredClient;
import dev.latch.server.config.ConfigLoader;
import dev.latch.server.config.ServerConfig;
import dev.latch.server.keys.SigningKey;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Comparator;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The embedded H2 database is opened {@code AUTO_SERVER}, so an administrative process ({@code latch
 * clients …}) can read and write the data directory of a running {@code latch serve} in another
 * process, and the server sees the change within 5 seconds.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class EmbeddedDatabaseSharedByTwoProcessesTest {

    /** Issue 2: a running server sees administrative changes within 5 seconds. */
    static final Duration VISIBLE_WITHIN = Duration.ofSeconds(5);

    Path data;
    ChildServer serve;

    @BeforeEach
    void createDataDirectory() throws Exception {
        data = Files.createTempDirectory("latch-shared-h2");
    }

    @AfterEach
    void cleanUp() throws Exception {
        try {
            if (serve != null) serve.close();
        } finally {
            try (Stream<Path> files = Files.walk(data)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    LatchInstance openAdministration() {
        ServerConfig config = new ConfigLoader(name -> null, SecretReference.system()).load(null, Map.of("data", data.toString()));
        return LatchInstance.open(config, Clock.systemUTC());
    }

    ChildServer startServe() {
        return ChildServer.start("serve", Map.of("data", data.toString()), Map.of());
    }

    static HttpResponse<String> token(ChildServer node, String clientId, String secret) {
        String raw = URLEncoder.encode(clientId, StandardCharsets.UTF_8) + ":" + URLEncoder.encode(secret, StandardCharsets.UTF_8);
        return TestServer.send(HttpRequest.newBuilder(URI.create(node.url("/token")))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(raw.getBytes(StandardCharsets.UTF_8)))
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials")).build());
    }

    /**
     * Polls {@code call} until {@code done} holds; gives up only after a call that was started once
     * {@code limit} had passed, so a slow machine cannot fail it, yet a change seen later than
     * {@code limit} does. Returns the last answer.
     */
    static HttpResponse<String> within(Duration limit, java.util.function.Supplier<HttpResponse<String>> call,
                                       Predicate<HttpResponse<String>> done) throws InterruptedException {
        Instant deadline = Instant.now().plus(limit);
        while (true) {
            boolean last = !Instant.now().isBefore(deadline);
            HttpResponse<String> answer = call.get();
            if (done.test(answer) || last) {
                return answer;
            }
            Thread.sleep(100); // polling interval, not a timing assumption: the deadline bounds the wait
        }
    }

    @Test
    void whileServeRunsAnotherProcessReadsAndWritesAndServeSeesTheChange() throws Exception {
        serve = startServe();
        String servedKid = JWKSet.parse(TestServer.send(HttpRequest.newBuilder(URI.create(serve.url("/jwks"))).build()).body())
                .getKeys().get(0).getKeyID();

        try (LatchInstance admin = openAdministration()) {
            // read what serve wrote: its signing key, decrypted with the master key file it generated
            assertThat(admin.keyRing().snapshot().keys()).extracting(SigningKey::kid).contains(servedKid);
            assertThat(admin.keyRing().snapshot().keys()).allSatisfy(k -> assertThat(k.privateJwk()).isNotNull());

            // write: a client added next to the running server
            ClientRegistry.Registered added = admin.clients().create(new Client.Builder().clientId("added-live").scope("read").build(),
                    null, true, null);
            assertThat(admin.clients().store().list()).extracting(StoredClient::clientId).contains("added-live");

            HttpResponse<String> issued = within(VISIBLE_WITHIN, () -> token(serve, "added-live", added.clientSecret()),
                    r -> r.statusCode() == 200);
            assertThat(issued.statusCode()).as(issued.body()).isEqualTo(200);

            // and a removal is seen too
            assertThat(admin.clients().remove("added-live")).isTrue();
            HttpResponse<String> refused = within(VISIBLE_WITHIN, () -> token(serve, "added-live", added.clientSecret()),
                    r -> r.statusCode() == 401);
            assertThat(refused.statusCode()).as(refused.body()).isEqualTo(401);
        }

        HttpResponse<String> health = TestServer.send(HttpRequest.newBuilder(URI.create(serve.managementUrl("/healthz"))).build());
        assertThat(health.statusCode()).as(health.body()).isEqualTo(200);
    }

    @Test
    void whenAdministrationOpenedFirstAndClosesThenServeKeepsUsingTheDatabase() throws Exception {
        JWK key = ClientAssertions.newKey();
        LatchInstance admin = openAdministration();
        try {
            admin.clients().create(ClientAssertions.privateKeyJwtClient("early", key, "read"), null, true, null);
            serve = startServe(); // the database is already open in this process: serve joins it
            HttpResponse<String> whileShared = assertionToken(serve, key, "early");
            assertThat(whileShared.statusCode()).as(whileShared.body()).isEqualTo(200);
        } finally {
            admin.close();
        }

        // the process that opened the database first is gone; serve must carry on alone, and every
        // assertion is a database write (its jti), so this proves the database, not a cache, answers
        HttpResponse<String> afterwards = within(VISIBLE_WITHIN, () -> assertionToken(serve, key, "early"), r -> r.statusCode() == 200);
        assertThat(afterwards.statusCode()).as(afterwards.body() + "\n" + serve.output()).isEqualTo(200);
        HttpResponse<String> health = TestServer.send(HttpRequest.newBuilder(URI.create(serve.managementUrl("/healthz"))).build());
        assertThat(health.statusCode()).as(health.body()).isEqualTo(200);
    }

    static HttpResponse<String> assertionToken(ChildServer node, JWK key, String clientId) {
        // aud = the token endpoint as this node names it (issuer http://localhost:PORT)
        String assertion = ClientAssertions.sign(key, clientId, node.url("/token").replace("127.0.0.1", "localhost"),
                UUID.randomUUID().toString());
        return TestServer.send(HttpRequest.newBuilder(URI.create(node.url("/token")))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(ClientAssertions.tokenRequest(assertion))).build());
    }
}
