package dev.latch.gateway.health;

import dev.latch.gateway.config.GatewayConfig;
import dev.latch.gateway.sso.SsoRoute;
import dev.latch.resource.AccessTokenValidator;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * {@code /healthz}: each upstream (a TCP connection within a second), each issuer (discovery and
 * JWKS fetched) and each sso route's provider (discovery) reachable or not, checked in parallel and kept for five seconds so a busy poller
 * cannot turn the gateway into a load generator. Unhealthy answers {@code 503} with the same report.
 */
public final class HealthChecks {

    private static final Duration KEEP = Duration.ofSeconds(5);
    private static final int CONNECT_MILLIS = 1000;

    public record Report(boolean healthy, Map<String, Object> body) {}

    private final List<GatewayConfig.Route> routes;
    private final Map<String, AccessTokenValidator> validators;
    private final List<SsoRoute> signIns;
    private volatile Report last;
    private volatile long lastAt;

    public HealthChecks(List<GatewayConfig.Route> routes, Map<String, AccessTokenValidator> validators, List<SsoRoute> signIns) {
        this.routes = routes;
        this.validators = validators;
        this.signIns = signIns;
    }

    public synchronized Report report() {
        long now = System.nanoTime();
        if (last != null && now - lastAt < KEEP.toNanos()) {
            return last;
        }
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            Map<String, Future<String>> upstreams = new LinkedHashMap<>();
            for (GatewayConfig.Route route : routes) {
                String key = route.upstream().getScheme() + "://" + route.upstream().getRawAuthority();
                upstreams.computeIfAbsent(key, k -> pool.submit(() -> connect(route.upstream())));
            }
            Map<String, Future<AccessTokenValidator.Health>> issuers = new LinkedHashMap<>();
            validators.forEach((id, v) -> issuers.put(id, pool.submit(v::check)));
            Map<SsoRoute, Future<String>> providers = new LinkedHashMap<>();
            for (SsoRoute sso : signIns) providers.put(sso, pool.submit(sso::problem));
            boolean healthy = true;
            List<Map<String, Object>> up = new ArrayList<>();
            for (var e : upstreams.entrySet()) {
                String problem = e.getValue().get();
                healthy &= problem == null;
                up.add(entry("upstream", e.getKey(), problem));
            }
            List<Map<String, Object>> iss = new ArrayList<>();
            for (var e : issuers.entrySet()) {
                AccessTokenValidator.Health h = e.getValue().get();
                healthy &= h.reachable();
                Map<String, Object> m = entry("id", e.getKey(), h.problem());
                m.put("issuer", validators.get(e.getKey()).settings().issuer());
                iss.add(m);
            }
            List<Map<String, Object>> sign = new ArrayList<>();
            for (var e : providers.entrySet()) {
                String problem = e.getValue().get();
                healthy &= problem == null;
                Map<String, Object> m = entry("route", e.getKey().route().path(), problem);
                m.put("issuer", e.getKey().route().sso().issuer().toString());
                sign.add(m);
            }
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("status", healthy ? "ok" : "degraded");
            body.put("upstreams", up);
            body.put("issuers", iss);
            if (!sign.isEmpty()) body.put("sign-in", sign);
            last = new Report(healthy, body);
            lastAt = now;
            return last;
        } catch (Exception e) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("status", "degraded");
            body.put("problem", "health checks did not complete: " + e.getMessage());
            return new Report(false, body);
        }
    }

    private static Map<String, Object> entry(String name, String value, String problem) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put(name, value);
        m.put("reachable", problem == null);
        if (problem != null) m.put("problem", problem);
        return m;
    }

    private static String connect(URI upstream) {
        int port = upstream.getPort() > 0 ? upstream.getPort() : "https".equals(upstream.getScheme()) ? 443 : 80;
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(upstream.getHost(), port), CONNECT_MILLIS);
            return null;
        } catch (IOException e) {
            return "cannot connect to " + upstream.getHost() + ":" + port + " (" + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")";
        }
    }
}
