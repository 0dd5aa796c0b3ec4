package dev.latch.gateway.route;

import dev.latch.resource.TokenPrincipal;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/** What happens to a request a route's mode has let through: the route's rate limit, then the upstream. */
public interface Forward {

    /** @param principal who is calling (rate limits count by it), or null to count by remote address */
    void forward(Request forwarded, TokenPrincipal principal, Response response, Callback callback);
}
