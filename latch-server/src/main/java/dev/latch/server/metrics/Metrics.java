package dev.latch.server.metrics;

import dev.latch.server.http.HttpAdapter;
import dev.latch.server.http.Response;
import dev.latch.server.http.Routes;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/** The server's Prometheus metrics: requests and latencies, tokens issued, errors by RFC code, rows purged; JVM memory, threads, CPU and uptime. */
public final class Metrics implements HttpAdapter.Observer, Routes.Source {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private final Map<String, Timer> timers = new ConcurrentHashMap<>();

    public Metrics() {
        // what an operator watches beside the OAuth figures: heap and threads, CPU, uptime
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
    }

    public void tokenIssued(String grantType) {
        counters.computeIfAbsent("t:" + grantType, k -> Counter.builder("latch_tokens_issued")
                .description("Access tokens issued").tag("grant_type", grantType).register(registry)).increment();
    }

    public void error(String endpoint, String code) {
        counters.computeIfAbsent("e:" + endpoint + ":" + code, k -> Counter.builder("latch_oauth_errors")
                .description("OAuth error responses by RFC error code").tag("endpoint", endpoint).tag("error", code)
                .register(registry)).increment();
    }

    /** Rows the expiry purge removed from {@code table} ({@code latch_purged_rows_total{table=…}}). */
    public void purged(String table, long rows) {
        counters.computeIfAbsent("p:" + table, k -> Counter.builder("latch_purged_rows")
                .description("Expired rows removed by the purge, by table").tag("table", table).register(registry)).increment(rows);
    }

    @Override
    public void request(String route, String method, int status, long nanos) {
        String key = route + "|" + method + "|" + status;
        timers.computeIfAbsent(key, k -> Timer.builder("latch_http_requests").description("HTTP requests")
                .tag("route", route).tag("method", method).tag("status", Integer.toString(status))
                .publishPercentiles(0.5, 0.99).register(registry)).record(nanos, TimeUnit.NANOSECONDS);
    }

    public String scrape() {
        return registry.scrape();
    }

    /** {@code GET /metrics} on the management listener, in the Prometheus text format. */
    @Override
    public void addRoutes(Routes routes) {
        routes.get("/metrics", request -> {
            Map<String, String> headers = new LinkedHashMap<>();
            headers.put("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
            return new Response(200, headers, scrape().getBytes(StandardCharsets.UTF_8));
        });
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }
}
