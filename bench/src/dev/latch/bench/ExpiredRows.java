package dev.latch.bench;

import dev.latch.server.LatchInstance;
import dev.latch.server.config.ConfigLoader;
import dev.latch.server.config.ServerConfig;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;

/**
 * Fills a Latch database with expired rows for {@code bench/purge.sh}: {@code --rows N} opaque access
 * tokens that expired a day ago (the purge's biggest table in practice), sent in JDBC batches of 10 000.
 *
 * <p>Usage: {@code ExpiredRows --data DIR --config FILE --rows 1000000}. Run it while no server holds
 * the embedded database, or against the same PostgreSQL URL the server uses.
 */
public final class ExpiredRows {

    public static void main(String[] args) {
        Path data = null;
        Path config = null;
        int rows = 1_000_000;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--data" -> data = Path.of(args[++i]);
                case "--config" -> config = Path.of(args[++i]);
                case "--rows" -> rows = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        ServerConfig cfg = ConfigLoader.system().load(config, Map.of("data", data.toString()));
        long expired = Instant.now().getEpochSecond() - 86_400;
        long started = System.nanoTime();
        final int total = rows;
        try (LatchInstance instance = LatchInstance.open(cfg, Clock.systemUTC())) {
            for (int from = 0; from < total; from += 10_000) {
                final int start = from;
                instance.database().sql().transaction(c -> {
                    try (var ps = c.prepareStatement("INSERT INTO opaque_tokens (token_digest, jti, client_id, claims, expires_at) "
                            + "VALUES (?, ?, 'bench-expired', '{}', ?)")) {
                        for (int i = start; i < Math.min(start + 10_000, total); i++) {
                            ps.setString(1, "expired-" + i);
                            ps.setString(2, "expired-jti-" + i);
                            ps.setLong(3, expired);
                            ps.addBatch();
                        }
                        ps.executeBatch();
                    }
                    return null;
                });
            }
        }
        System.out.printf("inserted %d expired rows in %.1f s%n", total, (System.nanoTime() - started) / 1e9);
    }
}
