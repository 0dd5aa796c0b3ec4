package dev.latch.client.token;

import java.time.Instant;

/**
 * A token as a {@link CachingTokenSource} keeps it: returned as is until {@code refreshAt}, then while
 * one refresh runs in the background, never after {@code deadline} (see {@link RenewalPolicy}).
 */
record CachedToken(AccessToken token, Instant refreshAt, Instant deadline) {}
