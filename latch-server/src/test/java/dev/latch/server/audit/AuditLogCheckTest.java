package dev.latch.server.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The checker AuditSecrecyIT runs over the whole suite's audit log finds what it must. */
class AuditLogCheckTest {

    private static final String SECRET = "planted-secret-0123456789abcdef";

    private static String line(Audit.Entry entry) {
        return entry.json(Instant.parse("2026-12-07T08:00:00.123Z"));
    }

    @Test
    void lineWhenCleanThenNoProblem() {
        AuditLogCheck check = new AuditLogCheck(List.of(SECRET), 12);
        String line = line(Audit.success(AuditEvent.TOKEN_ISSUE).client("app").grantType("client_credentials").jti("j-1"));
        assertThat(check.check(1, line)).isEmpty();
    }

    @Test
    void lineWhenSecretPlantedThenFound() {
        AuditLogCheck check = new AuditLogCheck(List.of("another-secret-value-xyz", SECRET), 12);
        String line = line(Audit.failure(AuditEvent.SIGNIN).username("alice").reason("typed " + SECRET + " as the username"));
        assertThat(check.check(7, line)).singleElement().asString().startsWith("line 7 holds a secret the suite used (plante…)");
    }

    @Test
    void lineWhenSecretOnlyInEscapedFormThenFoundInTheDecodedValue() {
        String quoted = "pass\"word-with-a-quote";
        AuditLogCheck check = new AuditLogCheck(List.of(quoted), 12);
        String line = line(Audit.failure(AuditEvent.SIGNIN).username(quoted));
        assertThat(line).doesNotContain(quoted); // the JSON escapes the quote
        assertThat(check.check(1, line)).anyMatch(p -> p.contains("holds a secret"));
    }

    @Test
    void lineWhenFreeTextOrOffSchemaThenReported() {
        AuditLogCheck check = new AuditLogCheck(List.of(), 12);
        assertThat(check.check(1, "token issued grant=client_credentials client=app")).singleElement().asString()
                .startsWith("line 1 is not a JSON object");
        assertThat(check.check(2, "{\"ts\":\"yesterday\",\"event\":\"token.minted\",\"outcome\":\"ok\",\"secret\":\"x\"}"))
                .containsExactlyInAnyOrder("line 2: ts is not an ISO-8601 UTC time with milliseconds", "line 2: unknown event \"token.minted\"",
                        "line 2: outcome is neither success nor failure", "line 2: field secret is not in the schema");
    }
}
