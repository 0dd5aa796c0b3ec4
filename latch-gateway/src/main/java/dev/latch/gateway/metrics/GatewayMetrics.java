package dev.latch.gateway.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.ToLongFunction;

/**
 * The gateway's Prometheus metrics: requests and latency histograms per route and status, upstream
 * errors, refusals by reason, and the token caches' hits and misses.
 */
public final class GatewayMetrics {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    /** Per route, one timer per status code (100-599), made on first use: no key is built per request. */
    private final Map<String, java.util.concurrent.atomic.AtomicReferenceArray<Timer>> timers = new ConcurrentHashMap<>();
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();

    public void request(String route, int status, long nanos) {
        var byStatus = timers.computeIfAbsent(route, r -> new java.util.concurrent.atomic.AtomicReferenceArray<>(500));
        int slot = Math.min(Math.max(status, 100), 599) - 100;
        Timer timer = byStatus.get(slot);
        if (timer == null) {
            timer = Timer.builder("latch_gateway_requests").description("Requests through the gateway")
                    .tag("route", route).tag("status", Integer.toString(status))
                    .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(30))
                    .register(registry);
            byStatus.compareAndSet(slot, null, timer);
        }
        timer.record(nanos, TimeUnit.NANOSECONDS);
    }

    public void upstreamError(String route, int status) {
        count("latch_gateway_upstream_errors", "Upstream failures answered 502/504 by the gateway", "route", route, "status", Integer.toString(status));
    }

    public void refusal(String route, String reason) {
        count("latch_gateway_refusals", "Requests refused by the gateway", "route", route, "reason", reason);
    }

    /** Registers a cumulative count read from {@code source} (token-cache hits and misses). */
    public <T> void cumulative(String name, String description, T source, ToLongFunction<T> value, String... tags) {
        FunctionCounter.builder(name, source, s -> value.applyAsLong(s)).description(description).tags(tags).register(registry);
    }

    private void count(String name, String description, String... tags) {
        String key = name + '|' + String.join("|", tags);
        Counter counter = counters.get(key);
        if (counter == null) {
            counter = counters.computeIfAbsent(key, k -> Counter.builder(name).description(description).tags(tags).register(registry));
        }
        counter.increment();
    }

    public String scrape() {
        return registry.scrape();
    }
}
