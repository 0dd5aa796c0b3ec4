package dev.latch.server.health;

import dev.latch.server.http.Json;
import dev.latch.server.http.Response;
import dev.latch.server.http.Routes;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;

/** {@code GET /healthz} on the management listener: 200 while the database answers, 503 when it does not. */
public final class HealthEndpoint implements Routes.Source {

    private final BooleanSupplier databaseReachable;

    public HealthEndpoint(BooleanSupplier databaseReachable) {
        this.databaseReachable = databaseReachable;
    }

    public Response handle() {
        boolean db = databaseReachable.getAsBoolean();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", db ? "ok" : "unavailable");
        body.put("database", db ? "reachable" : "unreachable");
        return Response.json(db ? 200 : 503, Json.write(body));
    }

    @Override
    public void addRoutes(Routes routes) {
        routes.get("/healthz", request -> handle());
    }
}
