package dev.latch.server.keys;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWK;

/**
 * A signing key and its life: published from {@code createdAt}, signs from {@code activateAt}
 * (at least the JWKS max-age later, so every cached JWKS knows it first), stops signing at
 * {@code retiredAt}, leaves the JWKS at {@code unpublishAt} (when every token it signed has
 * expired). Its public part stays stored after that, for checking old {@code id_token_hint}s.
 *
 * @param privateJwk the private key, or null when only the public part is held (an imported export)
 */
public record SigningKey(String kid, JWSAlgorithm alg, JWK publicJwk, JWK privateJwk,
                         long createdAt, long activateAt, Long retiredAt, Long unpublishAt) {

    public boolean published(long now) {
        return createdAt <= now && (unpublishAt == null || now < unpublishAt);
    }

    public boolean signing(long now) {
        return privateJwk != null && activateAt <= now && (retiredAt == null || now < retiredAt);
    }

    /** {@code active}, {@code next}, {@code retired (published)}, {@code retired}, or for an imported public-only key {@code public-only (published)} / {@code public-only}. */
    public String state(long now) {
        if (privateJwk == null) return published(now) ? "public-only (published)" : "public-only";
        if (signing(now)) return "active";
        if (privateJwk != null && now < activateAt && retiredAt == null) return "next";
        if (published(now)) return "retired (published)";
        return "retired";
    }
}
