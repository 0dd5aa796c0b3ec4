package dev.latch.cli.doctor;

/**
 * One thing the doctor found: how bad it is, what it is about, what was seen (plain language),
 * and how to fix it (null when nothing needs fixing).
 */
public record Finding(Severity severity, String subject, String message, String fix) {

    /** OK: as it should be. WARN: works, but fragile or against advice. FAIL: clients or tokens will be refused. */
    public enum Severity { OK, WARN, FAIL }

    public static Finding ok(String subject, String message) {
        return new Finding(Severity.OK, subject, message, null);
    }

    public static Finding warn(String subject, String message, String fix) {
        return new Finding(Severity.WARN, subject, message, fix);
    }

    public static Finding fail(String subject, String message, String fix) {
        return new Finding(Severity.FAIL, subject, message, fix);
    }
}
