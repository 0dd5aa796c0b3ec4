package dev.latch.cli.backup;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** JDBC URLs as pg_dump and pg_restore must see them, credentials kept off the command line. */
class PostgresToolsTest {

    @Test
    void jdbcUrlWithCredentialsInItThenLibpqUriWithoutThemAndCredentialsInTheEnvironment() {
        PostgresTools.Target t = PostgresTools.target("jdbc:postgresql://db.example:6543/latch?user=latch&password=p%40ss&sslmode=verify-full"
                + "&connectTimeout=5&prepareThreshold=0", null, null);

        assertThat(t.uri()).isEqualTo("postgresql://db.example:6543/latch?sslmode=verify-full&connect_timeout=5");
        assertThat(t.environment()).containsEntry("PGUSER", "latch").containsEntry("PGPASSWORD", "p@ss");
        assertThat(t.schemaOptions()).isEmpty();
    }

    @Test
    void optionsWinOverTheUrlsCredentialsAndCurrentSchemaBecomesSchemaOption() {
        PostgresTools.Target t = PostgresTools.target("jdbc:postgresql://127.0.0.1/latch?user=ignored&currentSchema=tenant_a", "ops", "secret");

        assertThat(t.uri()).isEqualTo("postgresql://127.0.0.1/latch");
        assertThat(t.environment()).containsEntry("PGUSER", "ops").containsEntry("PGPASSWORD", "secret");
        assertThat(t.schemaOptions()).containsExactly("--schema=tenant_a");
    }

    @Test
    void shortFormThenLocalhost() {
        assertThat(PostgresTools.target("jdbc:postgresql:latch", null, null).uri()).isEqualTo("postgresql://localhost/latch");
    }

    @Test
    void printedCommandNeverShowsThePassword() {
        PostgresTools.Target t = PostgresTools.target("jdbc:postgresql://127.0.0.1:5432/latch", "latch", "hunter2-hunter2");

        String command = PostgresTools.dumpCommand(t, "/backups/latch 1.pgdump");

        assertThat(command).isEqualTo("PGUSER=latch PGPASSWORD=… pg_dump --format=custom --no-owner --no-privileges "
                + "--file='/backups/latch 1.pgdump' postgresql://127.0.0.1:5432/latch");
        assertThat(command).doesNotContain("hunter2");
    }
}
