package dev.latch.core.secret;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Resolves secret-valued settings so that no secret needs to appear in a process list or a config
 * file: {@code ${env:NAME}}, {@code ${file:PATH}} (trailing newline trimmed) or {@code -} (one line
 * from standard input). A reference that resolves to nothing is an error naming the setting and the
 * source; it never turns silently into an empty string.
 */
public final class SecretReference {

    private final Function<String, String> environment;
    private final Supplier<InputStream> stdin;

    public SecretReference(Function<String, String> environment, Supplier<InputStream> stdin) {
        this.environment = environment;
        this.stdin = stdin;
    }

    public static SecretReference system() {
        Map<String, String> env = System.getenv();
        return new SecretReference(env::get, () -> System.in);
    }

    /** A variable of the environment this resolver reads (so tests can give a fake one). */
    public String environment(String name) {
        return environment.apply(name);
    }

    /**
     * The standard input that {@code -} reads, for commands that take other input from it too (a
     * token to decode); tests give a fake one.
     */
    public InputStream standardInput() {
        return stdin.get();
    }

    /** The kinds of value a secret-valued setting may hold. */
    public enum Kind {
        /** {@code ${env:NAME}} */
        ENVIRONMENT_VARIABLE,
        /** {@code ${file:PATH}} */
        FILE,
        /** {@code -} */
        STANDARD_INPUT,
        /** {@code ${…}} of no known kind, or unclosed: an error, never taken as a literal */
        UNKNOWN_REFERENCE,
        /** the value itself */
        LITERAL
    }

    /**
     * A value as written: its kind and what it names (the variable or the path; null for the other kinds).
     * This is the one parser of the reference syntax; everything that must tell a reference from a
     * literal, or read what a reference names, asks it.
     */
    public record Parsed(Kind kind, String name) {

        /** True for {@code ${env:NAME}}, {@code ${file:PATH}} and {@code -}. */
        public boolean isReference() {
            return kind == Kind.ENVIRONMENT_VARIABLE || kind == Kind.FILE || kind == Kind.STANDARD_INPUT;
        }
    }

    /** Parses {@code value} (not null). */
    public static Parsed parse(String value) {
        if (value.equals("-")) {
            return new Parsed(Kind.STANDARD_INPUT, null);
        }
        if (value.startsWith("${env:") && value.endsWith("}")) {
            return new Parsed(Kind.ENVIRONMENT_VARIABLE, value.substring(6, value.length() - 1));
        }
        if (value.startsWith("${file:") && value.endsWith("}")) {
            return new Parsed(Kind.FILE, value.substring(7, value.length() - 1));
        }
        return new Parsed(value.startsWith("${") ? Kind.UNKNOWN_REFERENCE : Kind.LITERAL, null);
    }

    /** True when {@code value} is a reference rather than a literal. */
    public static boolean isReference(String value) {
        return value != null && parse(value).isReference();
    }

    /**
     * Resolves {@code value} for the setting {@code setting}. Literals are returned as they are; a null
     * value stays null (the setting is absent).
     *
     * @throws SecretResolutionException naming the setting and the variable or file when it resolves to nothing
     */
    public String resolve(String setting, String value) {
        if (value == null) {
            return null;
        }
        Parsed parsed = parse(value);
        return switch (parsed.kind()) {
            case STANDARD_INPUT -> fromStdin(setting);
            case ENVIRONMENT_VARIABLE -> fromEnvironment(setting, parsed.name());
            case FILE -> fromFile(setting, parsed.name());
            case UNKNOWN_REFERENCE -> throw new SecretResolutionException(setting + ": unknown reference " + value
                    + " (use ${env:NAME}, ${file:PATH} or - for standard input)");
            case LITERAL -> value;
        };
    }

    private String fromEnvironment(String setting, String name) {
        String resolved = environment.apply(name);
        if (resolved == null || resolved.isEmpty()) {
            throw new SecretResolutionException(setting + ": environment variable " + name
                    + (resolved == null ? " is not set" : " is empty"));
        }
        return resolved;
    }

    private static String fromFile(String setting, String path) {
        try {
            String content = Files.readString(Path.of(path), StandardCharsets.UTF_8).strip();
            if (content.isEmpty()) {
                throw new SecretResolutionException(setting + ": file " + path + " is empty");
            }
            return content;
        } catch (NoSuchFileException e) {
            throw new SecretResolutionException(setting + ": file " + path + " does not exist");
        } catch (IOException e) {
            throw new SecretResolutionException(setting + ": file " + path + " cannot be read (" + e.getMessage() + ")");
        }
    }

    /** The most a password read from standard input may take (far above any password rule). */
    public static final int MAX_STDIN_PASSWORD_BYTES = 8192;

    /**
     * A password from standard input ({@code --password-stdin}): all of it, less one trailing line end
     * ({@code \n} or {@code \r\n}). Unlike the one-line secrets above, nothing else is trimmed, because
     * spaces count in a password; a second line is refused, so a file holding two passwords is not
     * half-used.
     *
     * @throws SecretResolutionException naming {@code setting} when standard input is empty, holds more
     *                                   than one line, or is too long
     */
    public String passwordFromStdin(String setting) {
        byte[] bytes;
        try {
            bytes = stdin.get().readNBytes(MAX_STDIN_PASSWORD_BYTES + 1);
        } catch (IOException e) {
            throw new SecretResolutionException(setting + ": standard input cannot be read (" + e.getMessage() + ")");
        }
        if (bytes.length > MAX_STDIN_PASSWORD_BYTES) {
            throw new SecretResolutionException(setting + ": standard input is longer than " + MAX_STDIN_PASSWORD_BYTES + " bytes");
        }
        String text = new String(bytes, StandardCharsets.UTF_8);
        java.util.Arrays.fill(bytes, (byte) 0);
        if (text.endsWith("\n")) {
            text = text.substring(0, text.length() - (text.endsWith("\r\n") ? 2 : 1));
        }
        if (text.isEmpty()) {
            throw new SecretResolutionException(setting + ": standard input is empty");
        }
        if (text.indexOf('\n') >= 0 || text.indexOf('\r') >= 0) {
            throw new SecretResolutionException(setting + ": standard input holds more than one line");
        }
        return text;
    }

    private String fromStdin(String setting) {
        try {
            byte[] bytes = stdin.get().readAllBytes();
            String line = new String(bytes, StandardCharsets.UTF_8).lines().findFirst().orElse("").strip();
            if (line.isEmpty()) {
                throw new SecretResolutionException(setting + ": standard input is empty");
            }
            return line;
        } catch (IOException e) {
            throw new SecretResolutionException(setting + ": standard input cannot be read (" + e.getMessage() + ")");
        }
    }

    /** A secret reference that resolves to nothing; the message names the setting and the source. */
    public static final class SecretResolutionException extends RuntimeException {
        public SecretResolutionException(String message) {
            super(message);
        }
    }
}
