package dev.latch.cli.doctor;

import dev.latch.cli.doctor.Finding.Severity;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * The findings of one doctor run, printed as they come: one block per finding, the severity first,
 * the fix indented below it, and a closing count. Exit code 1 when anything FAILed.
 */
final class Report {

    private static final String INDENT = "       ";

    private final PrintWriter out;
    private final List<Finding> findings = new ArrayList<>();

    Report(PrintWriter out) {
        this.out = out;
    }

    /** A report that prints nothing (for checks whose details do not matter here). */
    static Report silent() {
        return new Report(new PrintWriter(java.io.Writer.nullWriter()));
    }

    void add(Finding f) {
        findings.add(f);
        out.printf("%-6s %s: %s%n", "[" + f.severity() + "]", f.subject(), f.message());
        if (f.fix() != null) {
            out.println(INDENT + "fix: " + f.fix());
        }
        out.flush();
    }

    void ok(String subject, String message) {
        add(Finding.ok(subject, message));
    }

    void warn(String subject, String message, String fix) {
        add(Finding.warn(subject, message, fix));
    }

    void fail(String subject, String message, String fix) {
        add(Finding.fail(subject, message, fix));
    }

    List<Finding> findings() {
        return List.copyOf(findings);
    }

    long count(Severity s) {
        return findings.stream().filter(f -> f.severity() == s).count();
    }

    boolean failed() {
        return count(Severity.FAIL) > 0;
    }

    /** Prints the closing line and returns the exit code: 0 without FAIL, 1 with. */
    int finish(String verdictWhenOk, String verdictWhenFailed) {
        out.printf("%s (%d FAIL, %d WARN, %d OK)%n", failed() ? verdictWhenFailed : verdictWhenOk,
                count(Severity.FAIL), count(Severity.WARN), count(Severity.OK));
        out.flush();
        return failed() ? 1 : 0;
    }
}
