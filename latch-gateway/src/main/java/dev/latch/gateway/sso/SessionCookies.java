package dev.latch.gateway.sso;

import dev.latch.core.crypto.AesGcm;
import dev.latch.core.crypto.Digests;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;
import org.eclipse.jetty.http.HttpCookie;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;

/**
 * The sealed cookies of an sso route: AES-256-GCM ({@link AesGcm}) under a key derived from each
 * {@code cookie-secret}, with the cookie's purpose as associated data, so a value is both secret and
 * tamper-proof and a sign-in cookie cannot pass for a session. A value is
 * {@code base64url(1 | key id (4) | nonce | ciphertext | tag)}: the first secret seals, every secret opens
 * (rotation), and the key id picks the key without trial decryption. No state is kept on the server, so
 * every gateway node with the same secrets reads every node's cookies.
 *
 * <p>Browsers keep about 4 KiB per cookie; a value longer than {@link #CHUNK} characters is split into
 * {@code name_0}, {@code name_1}, … and joined again on the way in.
 */
final class SessionCookies {

    static final int CHUNK = 3800;
    private static final int MAX_CHUNKS = 8;
    private static final byte VERSION = 1;
    private static final byte[] KEY_LABEL = "latch gateway sso cookie key v1".getBytes(StandardCharsets.UTF_8);

    private final List<SecretKey> keys = new ArrayList<>();
    private final List<byte[]> keyIds = new ArrayList<>();
    private final boolean secure;

    /** @param secrets the first seals; all open */
    SessionCookies(List<String> secrets, boolean secure) {
        for (String secret : secrets) {
            byte[] raw = Digests.hmacSha256(secret.getBytes(StandardCharsets.UTF_8), KEY_LABEL);
            keys.add(new SecretKeySpec(raw, "AES"));
            keyIds.add(Arrays.copyOf(Digests.sha256(raw), 4));
        }
        this.secure = secure;
    }

    boolean secure() {
        return secure;
    }

    /** {@code plaintext} sealed for {@code purpose} under the first secret. */
    String seal(String purpose, byte[] plaintext) {
        byte[] sealed = AesGcm.seal(keys.getFirst(), purpose.getBytes(StandardCharsets.UTF_8), plaintext);
        byte[] out = new byte[5 + sealed.length];
        out[0] = VERSION;
        System.arraycopy(keyIds.getFirst(), 0, out, 1, 4);
        System.arraycopy(sealed, 0, out, 5, sealed.length);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(out);
    }

    /** The plaintext of a value sealed for {@code purpose} under any configured secret; null when it was not. */
    byte[] open(String purpose, String value) {
        if (value == null || value.isEmpty()) {
            return null;
        }
        byte[] in;
        try {
            in = Base64.getUrlDecoder().decode(value);
        } catch (IllegalArgumentException e) {
            return null;
        }
        if (in.length < 5 || in[0] != VERSION) {
            return null;
        }
        for (int i = 0; i < keys.size(); i++) {
            if (Arrays.equals(keyIds.get(i), 0, 4, in, 1, 5)) {
                return AesGcm.open(keys.get(i), purpose.getBytes(StandardCharsets.UTF_8), in, 5);
            }
        }
        return null;
    }

    /**
     * True when {@code value} was sealed under a secret other than the first (so it should be sealed again).
     * Only its first 8 characters are decoded: they hold the version and the key id.
     */
    boolean sealedWithOlderSecret(String value) {
        if (value.length() < 8) {
            return true;
        }
        try {
            byte[] head = Base64.getUrlDecoder().decode(value.substring(0, 8));
            return !Arrays.equals(keyIds.getFirst(), 0, 4, head, 1, 5);
        } catch (IllegalArgumentException e) {
            return true;
        }
    }

    // ---------------------------------------------------------------- the cookies themselves

    /** The request's cookies by name (the first of a repeated name). */
    static Map<String, String> read(Request request) {
        Map<String, String> out = new LinkedHashMap<>();
        for (HttpCookie cookie : Request.getCookies(request)) {
            out.putIfAbsent(cookie.getName(), cookie.getValue());
        }
        return out;
    }

    /** The value stored under {@code name}, whole or in chunks; null when there is none or a chunk is missing. */
    static String joined(Map<String, String> cookies, String name) {
        String whole = cookies.get(name);
        if (whole != null) {
            return whole;
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < MAX_CHUNKS && cookies.containsKey(name + "_" + i); i++) {
            b.append(cookies.get(name + "_" + i));
        }
        return b.isEmpty() ? null : b.toString();
    }

    /** True for {@code name} and its chunks {@code name_0}… (what must not reach the upstream). */
    static boolean isPart(String cookieName, String name) {
        if (cookieName.equals(name)) {
            return true;
        }
        if (!cookieName.startsWith(name + "_")) {
            return false;
        }
        String rest = cookieName.substring(name.length() + 1);
        return !rest.isEmpty() && rest.chars().allMatch(Character::isDigit);
    }

    /**
     * Sets {@code value} under {@code name} (split when long), and expires the request's other parts of
     * {@code name} that the new value does not overwrite.
     *
     * @param maxAgeSeconds the cookies' lifetime, -1 for a browser-session cookie
     * @throws IllegalStateException when the value needs more than 8 cookies (about 30 KB)
     */
    void write(Response response, Map<String, String> requestCookies, String name, String path, String value, long maxAgeSeconds) {
        List<String> written = new ArrayList<>();
        if (value.length() <= CHUNK) {
            add(response, name, value, path, maxAgeSeconds);
            written.add(name);
        } else {
            int chunks = (value.length() + CHUNK - 1) / CHUNK;
            if (chunks > MAX_CHUNKS) {
                throw new IllegalStateException("the session is too large for cookies (" + value.length()
                        + " characters); the provider's tokens are unusually large");
            }
            for (int i = 0; i < chunks; i++) {
                String part = name + "_" + i;
                add(response, part, value.substring(i * CHUNK, Math.min(value.length(), (i + 1) * CHUNK)), path, maxAgeSeconds);
                written.add(part);
            }
        }
        for (String present : requestCookies.keySet()) {
            if (isPart(present, name) && !written.contains(present)) {
                add(response, present, "", path, 0);
            }
        }
    }

    /** Expires every part of {@code name} the request carries. */
    void clear(Response response, Map<String, String> requestCookies, String name, String path) {
        for (String present : requestCookies.keySet()) {
            if (isPart(present, name)) {
                add(response, present, "", path, 0);
            }
        }
    }

    private void add(Response response, String name, String value, String path, long maxAgeSeconds) {
        HttpCookie.Builder cookie = HttpCookie.build(name, value).path(path).httpOnly(true).secure(secure)
                .sameSite(HttpCookie.SameSite.LAX);
        if (maxAgeSeconds >= 0) {
            cookie.maxAge(maxAgeSeconds);
        }
        Response.addCookie(response, cookie.build());
    }
}
