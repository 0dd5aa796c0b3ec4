package dev.latch.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.latch.server.storage.Database;
import dev.latch.server.storage.TestDatabase;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Nodes started together on an empty PostgreSQL database: exactly one applies the Flyway migrations
 * (Flyway takes a PostgreSQL advisory lock; the others wait for it and find the schema current), every
 * migration is recorded once and successfully, and every node comes up and serves. Both have the same
 * configuration with a declared client and user, which each creates if it is missing: the node that
 * loses that race brings the other's row up to date instead of failing to start. Each node is a
 * process of its own ({@link ChildServer}), all started at the same moment; two rounds on two
 * fresh databases.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class MigrationsOnConcurrentStartOnPostgresTest {

    static final int NODES = 2;
    static final String MIGRATED = "database schema migrated to version";
    static final String SECRET = "svc-secret-for-the-concurrent-start-0123456789";

    @Test
    void nodesStartingTogetherOnAnEmptyDatabaseMigrateItExactlyOnceAndAllServe() throws Exception {
        TestDatabase.assumePostgresReachable();
        List<String> versions = migrationVersions();
        Path configuration = Files.createTempFile("latch-nodes-", ".yaml");
        Files.writeString(configuration, """
                clients:
                  - client_id: svc
                    client_secret: ${env:SVC_SECRET}
                    scope: read
                    grant_types: [client_credentials]
                users:
                  - username: alice
                    password: ${env:ALICE_PASSWORD}
                """);
        configuration.toFile().deleteOnExit();
        for (int round = 0; round < 2; round++) {
            try (TestDatabase db = TestDatabase.postgres()) {
                Map<String, String> settings = new HashMap<>(db.settings());
                byte[] key = new byte[32];
                new java.security.SecureRandom().nextBytes(key);
                settings.put("master-key", java.util.Base64.getEncoder().encodeToString(key));
                // the same configuration on both: each creates (or brings up to date) the declared client and user at start
                settings.put(ServerProcess.CONFIG_FILE, configuration.toString());
                List<ChildServer> nodes = startTogether(settings);
                try {
                    for (ChildServer node : nodes) {
                        assertThat(TestServer.send(HttpRequest.newBuilder(URI.create(node.managementUrl("/healthz"))).build()).statusCode())
                                .as(node.output()).isEqualTo(200);
                        assertThat(TestServer.send(HttpRequest.newBuilder(URI.create(node.url("/jwks"))).build()).body()).contains("\"keys\"");
                        HttpResponse<String> token = TestServer.send(HttpRequest.newBuilder(URI.create(node.url("/token")))
                                .header("Content-Type", "application/x-www-form-urlencoded")
                                .header("Authorization", OAuthResponses.basic("svc", SECRET))
                                .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials&scope=read")).build());
                        assertThat(token.statusCode()).as(token.body()).isEqualTo(200);
                    }
                    long migrators = nodes.stream().filter(n -> n.output().contains(MIGRATED)).count();
                    assertThat(migrators).as("nodes that applied migrations, round " + round + ":\n"
                            + nodes.stream().map(ChildServer::output).reduce("", (x, y) -> x + "\n---\n" + y)).isEqualTo(1);

                    try (Database opened = Database.open(db.url(), db.user(), null, 1)) {
                        List<String> applied = opened.sql().query("SELECT version FROM flyway_schema_history WHERE version IS NOT NULL AND success "
                                + "ORDER BY installed_rank", rs -> rs.getString(1));
                        assertThat(applied).as("each migration applied once, in order").containsExactlyElementsOf(versions);
                        assertThat(opened.sql().queryOne("SELECT COUNT(*) FROM flyway_schema_history WHERE NOT success", rs -> rs.getLong(1))
                                .orElseThrow()).isZero();
                        // the rows a migration inserts exist once
                        assertThat(opened.sql().queryOne("SELECT COUNT(*) FROM maintenance_leases", rs -> rs.getLong(1)).orElseThrow()).isEqualTo(1);
                        assertThat(opened.sql().queryOne("SELECT COUNT(*) FROM users", rs -> rs.getLong(1)).orElseThrow()).isEqualTo(1);
                    }
                } finally {
                    nodes.forEach(ChildServer::close);
                }
            }
        }
    }

    /** Starts the nodes on threads released at one moment; returns them once all serve. */
    private static List<ChildServer> startTogether(Map<String, String> settings) throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(NODES);
        List<Future<ChildServer>> starting = new ArrayList<>();
        java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
        try {
            for (int i = 0; i < NODES; i++) {
                String name = "node" + i;
                starting.add(threads.submit(() -> {
                    go.await();
                    return ChildServer.start(name, settings, Map.of("SVC_SECRET", SECRET, "ALICE_PASSWORD", "correct horse battery staple"));
                }));
            }
            go.countDown();
            List<ChildServer> nodes = new ArrayList<>();
            AssertionError failed = null;
            for (Future<ChildServer> f : starting) {
                try {
                    nodes.add(f.get(3, TimeUnit.MINUTES));
                } catch (java.util.concurrent.ExecutionException e) {
                    failed = new AssertionError("a node did not start: " + e.getCause(), e.getCause());
                }
            }
            if (failed != null) {
                nodes.forEach(ChildServer::close);
                throw failed;
            }
            return nodes;
        } finally {
            threads.shutdownNow();
        }
    }

    /** The versions of the migrations in the source tree, in order. */
    private static List<String> migrationVersions() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("src/main/resources/db/migration"))) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.matches("V\\d+__.*\\.sql"))
                    .map(n -> n.substring(1, n.indexOf("__"))).sorted(java.util.Comparator.comparingInt(Integer::parseInt)).toList();
        }
    }
}
