package dev.latch.cli.options;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import dev.latch.cli.context.CommandContext;
import dev.latch.core.jose.KeyFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * Key and certificate files named on the command line, read through {@link KeyFiles} (PEM, DER, JWK,
 * JWKS of one key, PKCS#12). Every failure becomes one line naming the file, for the CLI to print.
 */
public final class KeyFileInput {

    private KeyFileInput() {}

    /** The key in {@code file}: private when the file holds one, else public (public PEM, certificate, public JWK). */
    public static JWK read(Path file, String password) {
        JWK key;
        try {
            key = KeyFiles.readKey(file, password == null ? null : password.toCharArray());
        } catch (IOException e) {
            throw new IllegalArgumentException(message(file, e));
        }
        if (key instanceof OctetSequenceKey) {
            throw new IllegalArgumentException(file + ": holds a symmetric (oct) key; HMAC secrets are given with --secret");
        }
        return key;
    }

    /** The private key in {@code file}, for {@code purpose} ("signing needs …"). */
    public static JWK readPrivate(Path file, String password, String purpose) {
        JWK key = read(file, password);
        if (!key.isPrivate()) {
            throw new IllegalArgumentException(file + ": holds a public key only; " + purpose + " needs the private key");
        }
        return key;
    }

    /** Certificates from a PEM or DER file, the first being the key's own. */
    public static List<X509Certificate> readCertificates(Path file) {
        try {
            List<X509Certificate> chain = KeyFiles.certificates(KeyFiles.readKey(file, null));
            if (chain.isEmpty()) {
                throw new IllegalArgumentException(file + ": holds no certificate");
            }
            return chain;
        } catch (IOException e) {
            throw new IllegalArgumentException(message(file, e));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage());
        }
    }

    /** Text of a file named by an option, or of standard input for {@code -}. */
    public static String readText(picocli.CommandLine.Model.CommandSpec spec, String fileOrDash) {
        if ("-".equals(fileOrDash)) {
            try {
                return new String(CommandContext.standardInput(spec).readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new IllegalArgumentException("standard input cannot be read: " + e.getMessage());
            }
        }
        Path file = Path.of(fileOrDash);
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalArgumentException(message(file, e));
        }
    }

    /** One line for a failed read of {@code file}. */
    public static String message(Path file, IOException e) {
        if (e instanceof NoSuchFileException) {
            return file + ": no such file";
        }
        if (e instanceof AccessDeniedException) {
            return file + ": permission denied";
        }
        if (e.getCause() instanceof NoSuchFileException) {
            return file + ": no such file";
        }
        if (Files.isDirectory(file)) {
            return file + ": is a directory";
        }
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return m.startsWith(file.toString()) ? m : file + ": " + m;
    }
}
