package dev.latch.server.keys;

import dev.latch.core.crypto.AesGcm;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The key that encrypts secrets at rest (signing keys' private parts, {@code client_secret_jwt}
 * secrets): AES-256-GCM with a random 96-bit nonce and the value's purpose as associated data, so a
 * ciphertext cannot be moved to another row. Values look like {@code v1.<base64url(nonce|ct)>}.
 */
public final class MasterKey {

    private static final Logger LOG = LoggerFactory.getLogger(MasterKey.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    public static final String FILE_NAME = "master.key";

    private final SecretKeySpec key;

    public MasterKey(byte[] raw) {
        if (raw.length != 32) {
            throw new IllegalArgumentException("a master key is 32 bytes (256 bits), base64-encoded; this one is " + raw.length + " bytes");
        }
        this.key = new SecretKeySpec(raw.clone(), "AES");
    }

    /** Parses a base64 or base64url-encoded 256-bit key; {@code setting} names where it came from. */
    public static MasterKey parse(String setting, String encoded) {
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(encoded.strip().replace('-', '+').replace('_', '/'));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(setting + ": not base64 (generate one with: openssl rand -base64 32)");
        }
        try {
            return new MasterKey(raw);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(setting + ": " + e.getMessage() + " (generate one with: openssl rand -base64 32)");
        }
    }

    /** Loads {@code data/master.key}, creating it (mode 600) with a warning when it does not exist. */
    public static MasterKey fromDataDirectory(Path dataDir) {
        Path file = dataDir.resolve(FILE_NAME);
        try {
            if (Files.exists(file)) {
                return parse(file.toString(), Files.readString(file, StandardCharsets.US_ASCII));
            }
            Files.createDirectories(dataDir);
            byte[] raw = new byte[32];
            RANDOM.nextBytes(raw);
            Files.writeString(file, Base64.getEncoder().encodeToString(raw) + "\n", StandardCharsets.US_ASCII);
            try {
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException ignored) {
                // not a POSIX file system; the file stays as the platform made it
            }
            LOG.warn("no master key configured (LATCH_MASTER_KEY): generated {} — back it up; anyone who reads it can decrypt the signing keys", file);
            return new MasterKey(raw);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read or create the master key file " + file + ": " + e.getMessage(), e);
        }
    }

    public static MasterKey random() {
        byte[] raw = new byte[32];
        RANDOM.nextBytes(raw);
        return new MasterKey(raw);
    }

    public String encrypt(String purpose, String plaintext) {
        byte[] sealed = AesGcm.seal(key, purpose.getBytes(StandardCharsets.UTF_8), plaintext.getBytes(StandardCharsets.UTF_8));
        return "v1." + Base64.getUrlEncoder().withoutPadding().encodeToString(sealed);
    }

    /** @throws IllegalStateException when the value was not encrypted under this key for this purpose */
    public String decrypt(String purpose, String value) {
        if (value == null || !value.startsWith("v1.")) {
            throw new IllegalStateException("not an encrypted value");
        }
        byte[] plaintext;
        try {
            plaintext = AesGcm.open(key, purpose.getBytes(StandardCharsets.UTF_8), Base64.getUrlDecoder().decode(value.substring(3)), 0);
        } catch (IllegalArgumentException e) {
            plaintext = null;
        }
        if (plaintext == null) {
            throw new IllegalStateException("cannot decrypt a value for " + purpose + ": wrong master key?");
        }
        return new String(plaintext, StandardCharsets.UTF_8);
    }
}
