package dev.latch.server.signin;

import dev.latch.server.user.PasswordHasher;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** A fast, salt-free stand-in for Argon2id in tests (never for production): counts its verifications. */
public final class TestPasswordHasher implements PasswordHasher {

    public final java.util.concurrent.atomic.AtomicInteger verifications = new java.util.concurrent.atomic.AtomicInteger();

    @Override
    public String hash(char[] password) {
        try {
            return "$test$" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(new String(password).getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public boolean verify(char[] password, String hash) {
        verifications.incrementAndGet();
        return hash != null && MessageDigest.isEqual(hash(password).getBytes(StandardCharsets.UTF_8), hash.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public boolean verifyAgainstDummy(char[] password) {
        verify(password, hash("latch-dummy".toCharArray()));
        return false;
    }

    @Override
    public boolean needsRehash(String hash) {
        return false;
    }
}
