package dev.latch.resource;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.concurrent.TimeUnit;

/**
 * Tokens already validated, so a token presented again costs a digest and a lookup instead of a signature
 * check or an introspection call (DESIGN §5: the signature is the ceiling; cache what was verified).
 *
 * <p>Keyed by the SHA-256 of the token, never the token itself, so a heap dump holds no usable bearer
 * credential. Each entry expires at the token's {@code exp} (or earlier, for an introspection answer),
 * both in Caffeine and by a check against the injected clock on every hit, so an entry never outlives
 * the token. Only accepted tokens are entered.
 */
final class ValidatedTokens {

    /** SHA-256 as four longs: equality and hash without a byte array or a copy per lookup. */
    record Key(long a, long b, long c, long d) {}

    private record Entry(TokenPrincipal principal, long expiresAtMillis) {}

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    /** Per thread, so the hit path allocates nothing but the key: a digest, an input and an output buffer. */
    private static final ThreadLocal<Hashing> HASHING = ThreadLocal.withInitial(Hashing::new);

    private static final class Hashing {
        final MessageDigest sha256;
        byte[] input = new byte[2048];
        final byte[] output = new byte[32];

        Hashing() {
            try {
                sha256 = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("every JDK has SHA-256", e);
            }
        }
    }

    private final Cache<Key, Entry> cache;
    private final Clock clock;
    private final boolean enabled;

    ValidatedTokens(long maximumSize, Clock clock) {
        this.clock = clock;
        this.enabled = maximumSize > 0; // Caffeine evicts a size-0 entry only later, asynchronously
        this.cache = Caffeine.newBuilder().maximumSize(maximumSize).expireAfter(new Expiry<Key, Entry>() {
            @Override
            public long expireAfterCreate(Key key, Entry entry, long currentTime) {
                return TimeUnit.MILLISECONDS.toNanos(Math.max(0, entry.expiresAtMillis() - clock.millis()));
            }

            @Override
            public long expireAfterUpdate(Key key, Entry entry, long currentTime, long currentDuration) {
                return expireAfterCreate(key, entry, currentTime);
            }

            @Override
            public long expireAfterRead(Key key, Entry entry, long currentTime, long currentDuration) {
                return currentDuration;
            }
        }).build();
    }

    /** The cache key of {@code token}. */
    static Key key(String token) {
        Hashing h = HASHING.get();
        int n = token.length();
        if (n > h.input.length && n <= 64 * 1024) {
            h.input = new byte[n];
        }
        if (n <= h.input.length && ascii(token, h.input)) {
            h.sha256.update(h.input, 0, n);
        } else {
            // non-ASCII (validate refuses it before this) or huge: the UTF-8 bytes, the same as the copy for ASCII
            h.sha256.update(token.getBytes(StandardCharsets.UTF_8));
        }
        try {
            h.sha256.digest(h.output, 0, 32);
        } catch (DigestException e) {
            throw new IllegalStateException(e);
        }
        byte[] d = h.output;
        return new Key((long) LONGS.get(d, 0), (long) LONGS.get(d, 8), (long) LONGS.get(d, 16), (long) LONGS.get(d, 24));
    }

    /** Copies an ASCII token into {@code out} byte for byte; false (with {@code out} partly written) at the first other char. */
    private static boolean ascii(String token, byte[] out) {
        for (int i = 0, n = token.length(); i < n; i++) {
            char c = token.charAt(i);
            if (c > 0x7f) {
                return false;
            }
            out[i] = (byte) c;
        }
        return true;
    }

    /** The principal of an accepted token still within its lifetime, or null. */
    TokenPrincipal get(Key key) {
        Entry e = cache.getIfPresent(key);
        if (e == null) {
            return null;
        }
        if (clock.millis() >= e.expiresAtMillis()) {
            cache.invalidate(key);
            return null;
        }
        return e.principal();
    }

    /** Keeps {@code principal} until {@code expiresAtMillis}; nothing when that has passed. */
    void put(Key key, TokenPrincipal principal, long expiresAtMillis) {
        if (enabled && expiresAtMillis > clock.millis()) {
            cache.put(key, new Entry(principal, expiresAtMillis));
        }
    }

    void clear() {
        cache.invalidateAll();
        cache.cleanUp();
    }
}
