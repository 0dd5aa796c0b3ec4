package dev.latch.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.JWK;
import dev.latch.core.secret.SecretReference;
import dev.latch.server.config.ConfigLoader;
import dev.latch.server.config.ServerConfig;
import dev.latch.server.storage.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
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

        // an operator registers the client first, as `latch clients add --db …` would
        Map<String, String> settings = new HashMap<>(db.settings());
        settings.put("data", data.toString());
        settings.put("issuer", ISSUER);
        settings.put("master-key", masterKey);
        ServerConfig config = new ConfigLoader(name -> null, SecretReference.system()).load(null, settings);
        try (LatchInstance operator = LatchInstance.open(config, Clock.systemUTC())) {
            operator.clients().create(ClientAssertions.privateKeyJwtClient(CLIENT, key, "read"), null, true, null);
        }

        Map<String, String> env = new HashMap<>();
        env.put("LATCH_DB_URL", db.url());
        env.put("LATCH_DB_USER", db.user());
        env.put("LATCH_MASTER_KEY", masterKey);
        env.put("LATCH_ISSUER", ISSUER);
        Map<String, String> nodeSettings = Map.of("data", data.toString());
        nodeA = ChildServer.start("a", nodeSettings, env);
        nodeB = ChildServer.start("b", nodeSettings, env);
    }

    @AfterAll
    static void stopNodes() {
        try {
            if (nodeA != null) nodeA.close();
        } finally {
            try {
                if (nodeB != null) nodeB.close();
            } finally {
                if (db != null) db.close();
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
            String assertion = ClientAssertions.sign(key, CLIENT, ISSUER, java.util.UUID.randomUUID().toString());
            var r = TestServer.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(node.url("/token")))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString(ClientAssertions.tokenRequest(assertion))).build());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        }
    }

    @Test
    void sameAssertionAtBothNodesAtOnceThenExactlyOneWinsEveryRound() throws Exception {
        AssertionRace.Outcome outcome = AssertionRace.run(50, key, CLIENT, ISSUER, nodeA.url("/token"), nodeB.url("/token"));

        LOG.info("50 rounds across two processes: node A won {}, node B won {}", outcome.winsA(), outcome.winsB());
        assertThat(outcome.winsA() + outcome.winsB()).isEqualTo(50);
        assertThat(nodeA.isAlive() && nodeB.isAlive()).isTrue();
    }
}
