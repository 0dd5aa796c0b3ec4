package dev.latch.server.user;

import java.text.Normalizer;
import java.util.Locale;

/**
 * The form in which usernames are compared: compatibility-normalised (NFKC) and case-folded, so that
 * {@code Alice}, {@code alice} and {@code ＡＬＩＣＥ} (full-width) are one username, as in PRECIS
 * UsernameCaseMapped (RFC 8265 §3.3). The username itself is kept as given; only this key is unique
 * and looked up.
 */
public final class UsernameKey {

    private UsernameKey() {}

    public static String of(String username) {
        String compatible = Normalizer.normalize(username.strip(), Normalizer.Form.NFKC);
        // upper then lower case folds what lower case alone misses (ß and SS, final and medial sigma)
        String folded = compatible.toUpperCase(Locale.ROOT).toLowerCase(Locale.ROOT);
        return Normalizer.normalize(folded, Normalizer.Form.NFKC);
    }
}
