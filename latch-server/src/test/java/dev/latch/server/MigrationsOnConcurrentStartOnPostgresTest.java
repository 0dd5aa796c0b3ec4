package dev.latch.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.latch.server.storage.Database;
import dev.latch.server.storage.TestDatabase;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
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
 * migration is recorded once and successfully, and every node comes up and serves. Each node is a
 * process of its own ({@link ChildServer}), all started at the same moment; two rounds on two
 * fresh databases.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class MigrationsOnConcurrentStartOnPostgresTest {

    static final int NODES = 2;
    static final String MIGRATED = "database schema migrated to version";

    @Test
    void nodesStartingTogetherOnAnEmptyDatabaseMigrateItExactlyOnceAndAllServe() throws Exception {
        TestDatabase.assumePostgresReachable();
        List<String> versions = migrationVersions();
        for (int round = 0; round < 2; round++) {
            try (TestDatabase db = TestDatabase.postgres()) {
                Map<String, String> settings = new HashMap<>(db.settings());
                byte[] key = new byte[32];
                new java.security.SecureRandom().nextBytes(key);
                settings.put("master-key", java.util.Base64.getEncoder().encodeToString(key));
                List<ChildServer> nodes = startTogether(settings);
                try {
                    for (ChildServer node : nodes) {
                        assertThat(TestServer.send(HttpRequest.newBuilder(URI.create(node.managementUrl("/healthz"))).build()).statusCode())
                                .as(node.output()).isEqualTo(200);
                        assertThat(TestServer.send(HttpRequest.newBuilder(URI.create(node.url("/jwks"))).build()).body()).contains("\"keys\"");
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
                    return ChildServer.start(name, settings, Map.of());
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
