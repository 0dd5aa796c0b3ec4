package dev.latch.resource;

/**
 * Validates bearer access tokens from one issuer: JWTs locally against the issuer's JWKS (RFC 9068 §4,
 * RFC 8725), opaque tokens by RFC 7662 introspection. Thread-safe; meant to be shared.
 *
 * <p>See the implementation notes on each method.
 */
public final class AccessTokenValidator {
    // implemented by the resource helper: see IMPLEMENTATION CONTRACT in the task
}
