package dev.latch.client.token;

import java.time.Clock;
import java.util.function.BooleanSupplier;

/**
 * What the {@link TokenSlot}s of one {@link CachingTokenSource} share: its clock, how it waits and
 * schedules, its renewal policy, how it fetches a token, whether it refreshes proactively, and whether
 * it has been closed.
 */
record Renewal(Clock clock, CachingTokenSource.Sleeper sleeper, CachingTokenSource.Scheduler scheduler, RenewalPolicy policy,
               TokenFetcher fetcher, boolean proactive, BooleanSupplier closed) {}
