package dev.latch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.latch.server.RealPart;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI on PostgreSQL (the real server on 127.0.0.1:5432, trust auth, database {@code test}, when
 * one answers), in a schema of its own: an H2 export imported into PostgreSQL exports to the same
 * bytes, whatever order the two databases sort strings in.
 */
class ConfigTransferPostgresTest {

    static final String SERVER = "jdbc:postgresql://127.0.0.1:5432/test";
    static final String SCHEMA = "latch_cli_" + UUID.randomUUID().toString().replace("-", "");

    @TempDir
    static Path dir;

    @BeforeAll
    static void createSchema() {
        try (Connection c = DriverManager.getConnection(SERVER + "?connectTimeout=2", "postgres", null); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + SCHEMA);
        } catch (SQLException e) {
            RealPart.require(false, "no PostgreSQL on 127.0.0.1:5432 (" + e.getMessage() + ")");
        }
    }

    @AfterAll
    static void dropSchema() throws SQLException {
        try (Connection c = DriverManager.getConnection(SERVER, "postgres", null); Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE");
        } catch (SQLException e) {
            // nothing was created
        }
    }

    @Test
    void exportFromH2ImportIntoPostgresAndExportAgainGivesTheSameBytes() throws Exception {
        Cli h2 = new Cli(dir.resolve("h2")).env("EK", "postgres-test-export-key-0123");
        // ids whose order differs between byte order and a locale collation ('B' < 'a' < 'b' only by bytes)
        for (String id : new String[] {"beta", "Alpha", "alpha", "_under", "Zulu"}) {
            assertThat(h2.run("clients", "add", "--client-id", id, "--scope", "s." + id).exit()).isZero();
        }
        Files.writeString(dir.resolve("hmac"), "hmac-secret-for-the-postgres-test-0123456789");
        assertThat(h2.run("clients", "add", "--client-id", "hmac", "--auth-method", "client_secret_jwt",
                "--secret", "${file:" + dir.resolve("hmac") + "}").exit()).isZero();
        assertThat(h2.run("keys", "rotate", "--alg", "ES256").exit()).isZero();
        assertThat(h2.run("keys", "rotate", "--alg", "Ed25519").exit()).isZero();
        Path fromH2 = dir.resolve("h2.json");
        assertThat(h2.run("config", "export", "--out", fromH2.toString(), "--export-key", "${env:EK}").exit()).isZero();

        Cli pg = new Cli(dir.resolve("pg-data")).env("EK", "postgres-test-export-key-0123");
        String[] db = {"--db", SERVER + "?currentSchema=" + SCHEMA, "--db-user", "postgres"};
        Cli.Result imported = pg.run(concat(new String[] {"config", "import", fromH2.toString(), "--export-key", "${env:EK}"}, db));
        assertThat(imported.exit()).as(imported.err()).isZero();
        assertThat(imported.out()).contains("clients 6 added");
        Path fromPg = dir.resolve("pg.json");
        Cli.Result exported = pg.run(concat(new String[] {"config", "export", "--out", fromPg.toString(), "--export-key", "${env:EK}"}, db));
        assertThat(exported.exit()).as(exported.err()).isZero();
        assertThat(Files.readAllBytes(fromPg)).isEqualTo(Files.readAllBytes(fromH2));

        Cli.Result listed = pg.run(concat(new String[] {"clients", "list"}, db));
        assertThat(listed.out().lines().skip(1).map(l -> l.split(" ")[0]).toList())
                .containsExactly("Alpha", "Zulu", "_under", "alpha", "beta", "hmac");
    }

    static String[] concat(String[] a, String[] b) {
        String[] out = new String[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
