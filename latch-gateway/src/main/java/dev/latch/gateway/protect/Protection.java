package dev.latch.gateway.protect;

import dev.latch.gateway.config.GatewayConfig;
import dev.latch.resource.AccessRule;
import dev.latch.resource.AccessTokenValidator;
import dev.latch.resource.TokenPrincipal;
import dev.latch.resource.TokenRejectedException;
import java.util.function.Function;
import java.util.TreeSet;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;

/**
 * The {@code protect} decision for one request (also the forward-auth endpoint's): a bearer token from
 * the {@code Authorization} header only (RFC 6750 §2.1; the query-string form of §2.3 is refused, and a
 * form-body token is never read), validated by {@link AccessTokenValidator}, then the route's rule for
 * the method. The identity it yields goes upstream in headers the caller cannot set.
 */
public final class Protection {

    private final AccessTokenValidator validator;
    private final Function<String, AccessRule> rules;
    private final GatewayConfig.IdentityHeaders headers;

    /** @param rules the rule for a method ({@link GatewayConfig.Route#rule}, {@link GatewayConfig.ForwardAuth#rule}) */
    public Protection(AccessTokenValidator validator, Function<String, AccessRule> rules, GatewayConfig.IdentityHeaders headers) {
        this.validator = validator;
        this.rules = rules;
        this.headers = headers;
    }

    public AccessTokenValidator validator() {
        return validator;
    }

    /** Checks a request of a protected route. */
    public TokenPrincipal authorize(Request request) {
        return authorize(request.getHeaders().get(HttpHeader.AUTHORIZATION), request.getHttpURI().getQuery(), request.getMethod());
    }

    /**
     * @param authorization the {@code Authorization} header value, or null
     * @param query         the raw query string of the request being decided, or null
     * @param method        the method the rule is chosen by (the original request's for forward-auth)
     * @throws TokenRejectedException why the request may not pass
     */
    public TokenPrincipal authorize(String authorization, String query, String method) {
        return validator.admit(authorization, query, rules.apply(method));
    }

    /** The identity headers for {@code principal} (absent values are left out). */
    public HttpFields identity(TokenPrincipal principal) {
        return identity(headers, principal);
    }

    /** The identity headers named by {@code headers} for {@code principal} (absent values are left out). */
    public static HttpFields identity(GatewayConfig.IdentityHeaders headers, TokenPrincipal principal) {
        HttpFields.Mutable out = HttpFields.build(6);
        put(out, headers.user(), principal.subject());
        put(out, headers.email(), principal.email());
        put(out, headers.preferredUsername(), principal.username());
        put(out, headers.groups(), principal.roles().isEmpty() ? null : String.join(",", new TreeSet<>(principal.roles())));
        put(out, headers.clientId(), principal.clientId());
        put(out, headers.scope(), principal.scopes().isEmpty() ? null : String.join(" ", new TreeSet<>(principal.scopes())));
        return out;
    }

    /** The caller-side key rate limits count by: the client, else the subject. */
    public static String caller(TokenPrincipal principal) {
        return principal.clientId() != null ? "client:" + principal.clientId() : "sub:" + principal.subject();
    }

    private static void put(HttpFields.Mutable out, String name, String value) {
        if (name == null || name.isEmpty() || value == null || value.isEmpty()) {
            return;
        }
        out.put(name, headerSafe(value));
    }

    /** A claim value as a header value: control characters (CR, LF, …) would split or corrupt the header. */
    static String headerSafe(String value) {
        StringBuilder b = null;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                if (b == null) b = new StringBuilder(value.substring(0, i));
                b.append(' ');
            } else if (b != null) {
                b.append(c);
            }
        }
        return b == null ? value : b.toString();
    }
}
