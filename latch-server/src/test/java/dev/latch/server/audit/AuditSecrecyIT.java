package dev.latch.server.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.latch.server.SuiteSecrets;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * After the whole unit-test suite of latch-server (failsafe, {@code verify} phase): the audit log every
 * test's servers wrote ({@code target/audit/audit.jsonl}) holds only schema lines and none of the
 * secrets the suite handed to or got from those servers ({@link SuiteSecrets}: client secrets,
 * passwords, tokens, codes, assertions, cookies).
 */
class AuditSecrecyIT {

    static final Path AUDIT_LOG = Path.of(System.getProperty("latch.test.audit-log", "target/audit/audit.jsonl"));

    @Test
    void auditLogOfTheWholeSuiteHoldsNoSecret() throws IOException {
        assumeTrue(Files.exists(AUDIT_LOG), "no audit log at " + AUDIT_LOG.toAbsolutePath() + ": the unit tests did not run");
        List<String> lines = Files.readAllLines(AUDIT_LOG, StandardCharsets.UTF_8);
        List<String> secrets = Files.exists(SuiteSecrets.FILE) ? Files.readAllLines(SuiteSecrets.FILE, StandardCharsets.UTF_8) : List.of();
        // a partial run (-Dtest=…) may have recorded no secret; the lines are still checked against the schema
        assertThat(lines).as("the suite wrote audit lines").isNotEmpty();

        AuditLogCheck check = new AuditLogCheck(secrets, SuiteSecrets.MIN_LENGTH);
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            problems.addAll(check.check(i + 1, lines.get(i)));
        }
        assertThat(problems).as(lines.size() + " audit lines checked against " + secrets.size() + " secrets").isEmpty();
    }
}
