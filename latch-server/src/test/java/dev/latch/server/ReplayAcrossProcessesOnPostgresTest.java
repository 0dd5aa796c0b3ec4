package dev.latch.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.SignedJWT;
import dev.latch.core.secret.SecretReference;
import dev.latch.server.config.ConfigLoader;
import dev.latch.server.config.ServerConfig;
import dev.latch.server.http.Json;
import dev.latch.server.storage.TestDatabase;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Two real server processes on one PostgreSQL schema, one master key, one issuer (two nodes of a
 * cluster): the same client assertion sent to both at the same moment is accepted by exactly one.
 * Skipped when PostgreSQL does not answer.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ReplayAcrossProcessesOnPostgresTest {

    private static final Logger LOG = LoggerFactory.getLogger(ReplayAcrossProcessesOnPostgresTest.class);
    static final String ISSUER = "https://latch.cluster.test";
    static final String CLIENT = "race-client";

    static TestDatabase db;
    static Path data;
    static ChildServer nodeA;
    static ChildServer nodeB;
    static JWK key;

    @BeforeAll
    static void startTwoNodes() throws Exception {
        if (!TestDatabase.postgresReachable()) {
            return;
        }
        db = TestDatabase.postgres();
        data = Files.createTempDirectory("latch-race");
        byte[] raw = new byte[32];
        new SecureRandom().nextBytes(raw);
        String masterKey = Base64.getEncoder().encodeToString(raw);
        key = ClientAssertions.newKey();

        // two nodes deploy at once on the empty schema: migration, master-key check and first
        // signing key all race, as they do when a cluster starts
        Map<String, String> env = new HashMap<>();
        env.put("LATCH_DB_URL", db.url());
        env.put("LATCH_DB_USER", db.user());
        env.put("LATCH_MASTER_KEY", masterKey);
        env.put("LATCH_ISSUER", ISSUER);
        Map<String, String> nodeSettings = Map.of("data", data.toString());
        CompletableFuture<ChildServer> a = CompletableFuture.supplyAsync(() -> ChildServer.start("a", nodeSettings, env));
        CompletableFuture<ChildServer> b = CompletableFuture.supplyAsync(() -> ChildServer.start("b", nodeSettings, env));
        try {
            nodeA = a.get(3, TimeUnit.MINUTES);
        } finally {
            nodeB = b.get(3, TimeUnit.MINUTES);
        }

        // an operator registers the client next to the running nodes, as `latch clients add --db …` would
        Map<String, String> settings = new HashMap<>(db.settings());
        settings.put("data", data.toString());
        settings.put("issuer", ISSUER);
        settings.put("master-key", masterKey);
        ServerConfig config = new ConfigLoader(name -> null, SecretReference.system()).load(null, settings);
        try (LatchInstance operator = LatchInstance.open(config, Clock.systemUTC())) {
            operator.clients().create(ClientAssertions.privateKeyJwtClient(CLIENT, key, "read"), null, true, null);
        }
    }

    @AfterAll
    static void stopNodes() throws IOException {
        try {
            if (nodeA != null) nodeA.close();
        } finally {
            try {
                if (nodeB != null) nodeB.close();
            } finally {
                if (db != null) db.close();
                if (data != null) {
                    try (Stream<Path> files = Files.walk(data)) {
                        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                    }
                }
            }
        }
    }

    @BeforeEach
    void requirePostgres() {
        TestDatabase.assumePostgresReachable();
    }

    @Test
    void eachNodeAcceptsTheClientTheOperatorRegistered() {
        for (ChildServer node : new ChildServer[] {nodeA, nodeB}) {
            String assertion = ClientAssertions.sign(key, CLIENT, ISSUER, UUID.randomUUID().toString());
            HttpResponse<String> r = TestServer.send(HttpRequest.newBuilder(URI.create(node.url("/token")))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(ClientAssertions.tokenRequest(assertion))).build());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        }
    }

    @Test
    void bothNodesPublishTheSameKeysSoATokenFromOneVerifiesWithTheOthersJwks() throws Exception {
        // key rings reload every 2 s: a read started 5 s from now must agree (earlier ones may)
        Instant deadline = Instant.now().plusSeconds(5);
        String jwksA;
        String jwksB;
        while (true) {
            boolean last = !Instant.now().isBefore(deadline);
            jwksA = get(nodeA.url("/jwks"));
            jwksB = get(nodeB.url("/jwks"));
            if (last || JWKSet.parse(jwksA).getKeys().equals(JWKSet.parse(jwksB).getKeys())) {
                break;
            }
            Thread.sleep(100); // polling interval; the deadline bounds the wait
        }
        assertThat(JWKSet.parse(jwksA).getKeys()).isEqualTo(JWKSet.parse(jwksB).getKeys());

        String assertion = ClientAssertions.sign(key, CLIENT, ISSUER, UUID.randomUUID().toString());
        HttpResponse<String> r = TestServer.send(HttpRequest.newBuilder(URI.create(nodeA.url("/token")))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(ClientAssertions.tokenRequest(assertion))).build());
        SignedJWT token = SignedJWT.parse(Json.MAPPER.readTree(r.body()).get("access_token").asText());
        JWK signer = JWKSet.parse(jwksB).getKeyByKeyId(token.getHeader().getKeyID());
        assertThat(signer).as("node A's signing key in node B's JWKS").isNotNull();
        assertThat(token.verify(new RSASSAVerifier(signer.toRSAKey()))).isTrue();
    }

    static String get(String url) {
        return TestServer.send(HttpRequest.newBuilder(URI.create(url)).build()).body();
    }

    @Test
    void sameAssertionAtBothNodesAtOnceThenExactlyOneWinsEveryRound() throws Exception {
        AssertionRace.Outcome outcome = AssertionRace.run(50, key, CLIENT, ISSUER, nodeA.url("/token"), nodeB.url("/token"));

        LOG.info("50 rounds across two processes: node A won {}, node B won {}", outcome.winsA(), outcome.winsB());
        assertThat(outcome.winsA() + outcome.winsB()).isEqualTo(50);
        assertThat(nodeA.isAlive() && nodeB.isAlive()).isTrue();
    }
}
