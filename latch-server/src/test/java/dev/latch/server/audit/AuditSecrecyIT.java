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
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * After the unit tests (failsafe, {@code verify} phase): the audit logs the tests' servers wrote — every
 * {@code *.jsonl} in the parent pom's {@code latch.test.audit-dir} ({@code target/audit/} of the checkout):
 * {@code audit.jsonl} from in-process servers and child JVMs ({@code logback-test.xml}), others from servers
 * started as {@code latch serve} ({@code LATCH_AUDIT_FILE}) — hold only schema lines and none of the
 * secrets the suite handed to or got from those servers ({@link SuiteSecrets}: client secrets, passwords,
 * tokens, codes, assertions, cookies, the secret constants of every test class).
 *
 * <p>Run here after latch-server's own tests, and by latch-keycloak-test, the last module, after every
 * module's ({@code AuditSecrecyOfTheWholeSuiteIT}); a full {@code mvn verify} empties the directory first.
 */
public class AuditSecrecyIT {

    static final Path AUDIT_LOG = Path.of(System.getProperty("latch.test.audit-log", "target/audit/audit.jsonl"));

    /** True where every module's tests have run, so that lines and secrets must be there. */
    protected boolean wholeSuite() {
        return false;
    }

    @Test
    public void auditLogsOfTheSuiteHoldNoSecret() throws IOException {
        Path dir = AUDIT_LOG.toAbsolutePath().getParent();
        assumeTrue(Files.exists(AUDIT_LOG), "no audit log at " + AUDIT_LOG.toAbsolutePath() + ": the unit tests did not run");
        List<Path> logs;
        try (Stream<Path> files = Files.list(dir)) {
            logs = files.filter(f -> f.getFileName().toString().endsWith(".jsonl")).sorted().toList();
        }
        List<String> secrets = Files.exists(SuiteSecrets.FILE) ? Files.readAllLines(SuiteSecrets.FILE, StandardCharsets.UTF_8) : List.of();
        AuditLogCheck check = new AuditLogCheck(secrets, SuiteSecrets.MIN_LENGTH);
        List<String> problems = new ArrayList<>();
        int lineCount = 0;
        for (Path log : logs) {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            lineCount += lines.size();
            for (int i = 0; i < lines.size(); i++) {
                check.check(i + 1, lines.get(i)).forEach(p -> problems.add(log.getFileName() + ": " + p));
            }
        }
        if (wholeSuite()) {
            assertThat(lineCount).as("the whole suite wrote audit lines in " + logs).isPositive();
            assertThat(secrets).as("the whole suite recorded the secrets it used in " + SuiteSecrets.FILE).isNotEmpty();
        } else {
            // a partial run (-Dtest=…) may have started no server, or recorded no secret; lines there are still checked
            assumeTrue(lineCount > 0, "no audit lines in " + logs + ": the tests that ran started no server");
        }
        assertThat(problems).as(lineCount + " audit lines in " + logs + " checked against " + secrets.size() + " secrets").isEmpty();
    }
}
