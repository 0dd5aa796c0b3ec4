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

    /** True when {@code value} is a reference rather than a literal. */
    public static boolean isReference(String value) {
        return value != null && (value.equals("-") || (value.startsWith("${") && value.endsWith("}")
                && (value.startsWith("${env:") || value.startsWith("${file:"))));
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
        if (value.equals("-")) {
            return fromStdin(setting);
        }
        if (value.startsWith("${env:") && value.endsWith("}")) {
            String name = value.substring(6, value.length() - 1);
            String resolved = environment.apply(name);
            if (resolved == null || resolved.isEmpty()) {
                throw new SecretResolutionException(setting + ": environment variable " + name
                        + (resolved == null ? " is not set" : " is empty"));
            }
            return resolved;
        }
        if (value.startsWith("${file:") && value.endsWith("}")) {
            String path = value.substring(7, value.length() - 1);
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
        if (value.startsWith("${")) {
            throw new SecretResolutionException(setting + ": unknown reference " + value
                    + " (use ${env:NAME}, ${file:PATH} or - for standard input)");
        }
        return value;
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
