package dev.latch.gateway.smart;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.latch.gateway.config.GatewayConfig;
import dev.latch.gateway.http.GatewayResponses;
import dev.latch.gateway.metadata.ProtectedResourceMetadata;
import dev.latch.gateway.protect.Protection;
import dev.latch.gateway.proxy.UpstreamProxy;
import dev.latch.gateway.proxy.UpstreamProxy.ResponseBodyFilter;
import dev.latch.gateway.route.Forward;
import dev.latch.gateway.route.Routes;
import dev.latch.resource.AccessTokenValidator;
import dev.latch.resource.TokenPrincipal;
import dev.latch.resource.TokenRejectedException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;
import java.util.function.Consumer;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * A {@code mode: smart} route: a {@code protect} route in front of a FHIR server, plus SMART App Launch 2.2
 * enforcement. In order: the public documents ({@code .well-known/smart-configuration} from the issuer, and
 * {@code metadata} with the SMART security extension); the token ({@link Protection}); whether it is still
 * active at the issuer ({@link ActiveTokens}); the body, read when there is one (create, update, batch, POST
 * {@code _search}); the {@link SmartPolicy} decision; then the upstream, with the confining parameters added
 * and, when the decision says so, the response read whole and checked before the caller sees any of it.
 * Every refusal is a FHIR OperationOutcome.
 */
public final class SmartRoute {

    private static final String DISCOVERY = ".well-known/smart-configuration";
    private static final Set<String> METHODS = Set.of("GET", "POST", "PUT", "PATCH", "DELETE");
    private static final long MAX_BUFFERED_BODY = 64L * 1024 * 1024;
    private static final Set<String> CONDITIONAL_READ = Set.of("if-none-match", "if-modified-since", "if-range");

    private final GatewayConfig.Route route;
    private final UpstreamProxy proxy;
    private final Protection protection;
    private final ActiveTokens active;
    private final SmartConfiguration configuration;
    private final SmartPolicy policy;
    private final Consumer<String> refusals;
    private final int maxBody;

    /**
     * @param refusals told the reason of each refusal (metrics)
     */
    public SmartRoute(GatewayConfig.Route route, UpstreamProxy proxy, Protection protection, SmartConfiguration configuration,
                      Consumer<String> refusals) {
        this.route = route;
        this.proxy = proxy;
        this.protection = protection;
        AccessTokenValidator validator = protection.validator();
        this.active = route.smart().checkActive() ? new ActiveTokens(validator, route.smart().introspectionCache()) : null;
        this.configuration = configuration;
        Set<String> bases = new LinkedHashSet<>();
        for (String audience : validator.settings().audiences()) bases.add(trimSlash(audience));
        bases.add(trimSlash(route.upstream().toString()));
        this.policy = new SmartPolicy(bases);
        this.refusals = refusals;
        this.maxBody = (int) Math.min(route.maxBodyBytes() < 0 ? MAX_BUFFERED_BODY : route.maxBodyBytes(), MAX_BUFFERED_BODY);
    }

    private static String trimSlash(String s) {
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }

    /** Handles a request of this route; returns the caller's principal once the token is accepted (for the access log), else null. */
    public TokenPrincipal handle(Request request, Request forwarded, Response response, Callback callback, Forward next) {
        String rest = Routes.remainder(route.path(), request.getHttpURI().getCanonicalPath());
        String method = request.getMethod();
        if (rest.equals(DISCOVERY)) {
            discovery(method, response, callback);
            return null;
        }
        if (rest.equals("metadata") && method.equals("GET")) {
            capabilities(forwarded, response, callback, next);
            return null;
        }
        if (!METHODS.contains(method)) {
            refuse(response, callback, 405, "not-supported", "invalid_request", method + " is not a FHIR interaction");
            return null;
        }
        if (dev.latch.gateway.websocket.WebSocketRelay.isUpgrade(request)) {
            refuse(response, callback, 400, "not-supported", "invalid_request", "a FHIR base does not take WebSocket upgrades");
            return null;
        }
        TokenPrincipal principal;
        try {
            principal = protection.authorize(request);
            if (active != null) {
                active.require(AccessTokenValidator.bearerToken(request.getHeaders().get(HttpHeader.AUTHORIZATION)));
            }
        } catch (TokenRejectedException refusal) {
            refusals.accept(refusal.reason().name().toLowerCase(Locale.ROOT));
            GatewayResponses.refusedFhir(response, callback, refusal, ProtectedResourceMetadata.url(request, route));
            return null;
        }
        SmartGrant grant = SmartGrant.of(principal.scopes(), principal.claims());
        boolean hasBody = request.getLength() > 0 || (request.getLength() < 0 && request.getHeaders().get(HttpHeader.TRANSFER_ENCODING) != null);
        if (!hasBody) {
            decide(request, forwarded, null, principal, grant, response, callback, next);
        } else {
            Content.Source.asByteArrayAsync(forwarded, maxBody).whenComplete((body, failure) -> {
                if (failure != null) {
                    refuse(response, callback, 413, "too-costly", "request_too_large",
                            "the request body is larger than this route reads (" + maxBody + " bytes) or broke off");
                } else {
                    decide(request, forwarded, body, principal, grant, response, callback, next);
                }
            });
        }
        return principal;
    }

    private void decide(Request request, Request forwarded, byte[] body, TokenPrincipal principal, SmartGrant grant,
                        Response response, Callback callback, Forward next) {
        try {
            String contentType = request.getHeaders().get(HttpHeader.CONTENT_TYPE);
            String type = contentType == null ? "" : contentType.toLowerCase(Locale.ROOT);
            JsonNode json = null;
            String form = null;
            if (body != null && body.length > 0 && type.contains("json")) {
                json = SmartJson.parse(body);
                if (json == null) {
                    refuse(response, callback, 400, "invalid", "invalid_request", "the body is not JSON (or repeats a key)");
                    return;
                }
            } else if (body != null && type.startsWith("application/x-www-form-urlencoded")) {
                form = new String(body, StandardCharsets.UTF_8);
            }
            String path = Routes.remainder(route.path(), request.getHttpURI().getCanonicalPath());
            FhirRequest fhir;
            try {
                fhir = FhirRequest.parse(request.getMethod(), path, request.getHttpURI().getQuery(), form, json,
                        request.getHeaders().get("If-None-Exist"));
            } catch (FhirRequest.Invalid e) {
                refuse(response, callback, e.status(), e.status() == 404 ? "not-found" : e.status() == 405 ? "not-supported" : "invalid",
                        "invalid_request", e.getMessage());
                return;
            }
            SmartPolicy.Decision decision = policy.decide(fhir, grant);
            if (!decision.allowed()) {
                if (decision.status() == 403) {
                    refusals.accept("insufficient_scope");
                    TokenRejectedException refusal = new TokenRejectedException(TokenRejectedException.Reason.INSUFFICIENT_SCOPE,
                            decision.message(), null, decision.requiredScope());
                    GatewayResponses.refusedFhir(response, callback, refusal, ProtectedResourceMetadata.url(request, route));
                } else {
                    refuse(response, callback, decision.status(), decision.issue(), "invalid_request", decision.message());
                }
                return;
            }
            Request out = new ReplayedRequest(forwarded, body, query(request.getHttpURI().getQuery(), decision));
            HttpFields.Mutable add = HttpFields.build(protection.identity(principal));
            if (decision.checkResponse()) {
                add.put(HttpHeader.ACCEPT, "application/fhir+json");
                add.put(HttpHeader.ACCEPT_ENCODING, "identity");
                // a 304 has no body to check, and would still tell whether another patient's resource has a version
                out.setAttribute(UpstreamProxy.REMOVE_HEADERS, CONDITIONAL_READ);
                out.setAttribute(UpstreamProxy.RESPONSE_FILTER, new CheckedResponse(grant, decision, request));
            } else {
                out.setAttribute(UpstreamProxy.COALESCE_CONTENT, Boolean.TRUE); // FHIR servers flush small pieces
            }
            out.setAttribute(UpstreamProxy.ADD_HEADERS, add.asImmutable());
            if (route.forwardToken()) {
                out.setAttribute(UpstreamProxy.KEEP_AUTHORIZATION, Boolean.TRUE);
            }
            if (decision.checkStored()) {
                checkStored(request, out, add, fhir, grant, principal, response, callback, next);
            } else {
                next.forward(out, principal, response, callback);
            }
        } catch (RuntimeException e) {
            callback.failed(e);
        }
    }

    /**
     * An update or delete limited to a patient or a restriction: reads the stored resource (as the caller, asking for
     * JSON), lets the policy check it, and sends the write pinned to the version read ({@code If-Match}, FHIR R4
     * §3.1.0.4.2), so a resource changed in between is not overwritten. A resource that is not there: an update
     * creates it (its body was checked), a delete is answered 404 without going upstream.
     */
    private void checkStored(Request request, Request out, HttpFields.Mutable add, FhirRequest fhir, SmartGrant grant,
                             TokenPrincipal principal, Response response, Callback callback, Forward next) {
        java.net.URI target = proxy.target(request);
        java.net.URI stored = java.net.URI.create(target.getScheme() + "://" + target.getRawAuthority() + target.getRawPath());
        HttpFields identity = protection.identity(principal);
        proxy.getHttpClient().newRequest(stored).method("GET")
                .headers(h -> {
                    for (org.eclipse.jetty.http.HttpField f : identity) h.put(f);
                    h.put(HttpHeader.ACCEPT, "application/fhir+json");
                    h.put(HttpHeader.ACCEPT_ENCODING, "identity");
                })
                .timeout(route.timeouts().total().toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)
                .send(new org.eclipse.jetty.client.BufferingResponseListener((int) Math.min(Integer.MAX_VALUE, route.smart().maxResponseBytes())) {
                    @Override
                    public void onComplete(org.eclipse.jetty.client.Result result) {
                        try {
                            storedRead(result, result.isFailed() ? null : getContent(), request, out, add, fhir, grant, principal,
                                    response, callback, next);
                        } catch (RuntimeException e) {
                            callback.failed(e);
                        }
                    }
                });
    }

    private void storedRead(org.eclipse.jetty.client.Result result, byte[] body, Request request, Request out, HttpFields.Mutable add,
                            FhirRequest fhir, SmartGrant grant, TokenPrincipal principal, Response response, Callback callback, Forward next) {
        if (result.isFailed()) {
            refuse(response, callback, 502, "exception", "upstream_unavailable",
                    "the stored " + fhir.type() + "/" + fhir.id() + " cannot be read to check the write");
            return;
        }
        int status = result.getResponse().getStatus();
        if (status == 404 || status == 410) {
            if (fhir.interaction() == FhirRequest.Interaction.DELETE) {
                refuse(response, callback, 404, "not-found", "not_found", fhir.type() + "/" + fhir.id() + " is not there");
            } else {
                next.forward(out, principal, response, callback);
            }
            return;
        }
        String problem = status != 200 ? "the stored " + fhir.type() + "/" + fhir.id() + " cannot be read (" + status + ")"
                : policy.checkStored(grant, fhir, SmartJson.parse(body));
        String version = problem != null ? null : SmartJson.parse(body).path("meta").path("versionId").asText(null);
        if (problem == null && version == null) {
            problem = "the stored " + fhir.type() + "/" + fhir.id() + " has no version to pin the write to";
        }
        if (problem != null) {
            refusals.accept("insufficient_scope");
            GatewayResponses.refusedFhir(response, callback, new TokenRejectedException(TokenRejectedException.Reason.INSUFFICIENT_SCOPE,
                    problem), ProtectedResourceMetadata.url(request, route));
            return;
        }
        String pin = "W/\"" + version + "\"";
        String asked = request.getHeaders().get(HttpHeader.IF_MATCH);
        if (asked != null && !asked.strip().equals(pin) && !asked.strip().equals("\"" + version + "\"")) {
            refuse(response, callback, 412, "conflict", "precondition_failed", "If-Match names another version than the stored one");
            return;
        }
        add.put(HttpHeader.IF_MATCH, pin);
        out.setAttribute(UpstreamProxy.ADD_HEADERS, add.asImmutable());
        next.forward(out, principal, response, callback);
    }

    /** The query with the decision's confining parameters appended (percent-encoded), or the original when there are none. */
    static String query(String original, SmartPolicy.Decision decision) {
        if (decision.confinement().isEmpty()) return original;
        StringBuilder q = new StringBuilder(original == null ? "" : original);
        for (FhirRequest.Param p : decision.confinement()) {
            if (!q.isEmpty()) q.append('&');
            q.append(URLEncoder.encode(p.name(), StandardCharsets.UTF_8)).append('=').append(URLEncoder.encode(p.value(), StandardCharsets.UTF_8));
        }
        return q.toString();
    }

    private void refuse(Response response, Callback callback, int status, String issue, String reason, String message) {
        refusals.accept(reason);
        GatewayResponses.operationOutcome(response, callback, status, issue, message);
    }

    // ------------------------------------------------------------------ public documents

    private void discovery(String method, Response response, Callback callback) {
        response.getHeaders().put("Access-Control-Allow-Origin", "*");
        if (!method.equals("GET") && !method.equals("HEAD")) {
            GatewayResponses.error(response, callback, 405, "invalid_request", "the SMART configuration is read with GET");
            return;
        }
        try {
            GatewayResponses.json(response, callback, 200, configuration.document());
        } catch (SmartConfiguration.Unavailable e) {
            response.getHeaders().put(HttpHeader.RETRY_AFTER, "5");
            GatewayResponses.error(response, callback, 503, "temporarily_unavailable",
                    "the SMART configuration of the authorization server cannot be had now; try again later");
        }
    }

    /** The FHIR server's CapabilityStatement, as JSON, with the SMART security extension on each rest entry. */
    private void capabilities(Request forwarded, Response response, Callback callback, Forward next) {
        response.getHeaders().put("Access-Control-Allow-Origin", "*");
        JsonNode smart;
        try {
            smart = configuration.document();
        } catch (SmartConfiguration.Unavailable e) {
            response.getHeaders().put(HttpHeader.RETRY_AFTER, "5");
            GatewayResponses.operationOutcome(response, callback, 503, "transient",
                    "the SMART configuration of the authorization server cannot be had now; try again later");
            return;
        }
        Request out = new ReplayedRequest(forwarded, null, null);
        HttpFields.Mutable add = HttpFields.build();
        add.put(HttpHeader.ACCEPT, "application/fhir+json");
        add.put(HttpHeader.ACCEPT_ENCODING, "identity");
        out.setAttribute(UpstreamProxy.ADD_HEADERS, add.asImmutable());
        out.setAttribute(UpstreamProxy.RESPONSE_FILTER, new ResponseBodyFilter() {
            @Override
            public long maxBytes() {
                return route.smart().maxResponseBytes();
            }

            @Override
            public Answer answer(int status, HttpFields headers, byte[] body) {
                if (status != 200) return Answer.pass();
                JsonNode node = body == null || encoded(headers) ? null : SmartJson.parse(body);
                if (!(node instanceof ObjectNode statement) || !"CapabilityStatement".equals(statement.path("resourceType").asText(null))) {
                    return null;
                }
                try {
                    return Answer.replace(SmartJson.MAPPER.writeValueAsBytes(SmartConfiguration.withSecurity(statement, smart)));
                } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                    return null;
                }
            }

            @Override
            public void refuse(Response r, Callback c) {
                GatewayResponses.operationOutcome(r, c, 502, "exception", "the FHIR server's CapabilityStatement is not JSON the gateway can read");
            }
        });
        next.forward(out, null, response, callback);
    }

    private static boolean encoded(HttpFields headers) {
        String encoding = headers.get(HttpHeader.CONTENT_ENCODING);
        return encoding != null && !encoding.equalsIgnoreCase("identity");
    }

    /** A response read whole and checked against the grant before any of it reaches the caller. */
    private final class CheckedResponse implements ResponseBodyFilter {
        private final SmartGrant grant;
        private final SmartPolicy.Decision decision;
        private final Request request;
        private int status;
        private String issue;
        private String message;

        CheckedResponse(SmartGrant grant, SmartPolicy.Decision decision, Request request) {
            this.grant = grant;
            this.decision = decision;
            this.request = request;
        }

        @Override
        public long maxBytes() {
            return route.smart().maxResponseBytes();
        }

        @Override
        public Answer answer(int upstreamStatus, HttpFields headers, byte[] body) {
            if (body == null) {
                return refused(403, "too-costly", "the response is larger than the gateway checks (" + maxBytes()
                        + " bytes); ask for fewer results (_count)");
            }
            if (body.length == 0) return Answer.pass();
            if (encoded(headers)) {
                return refused(502, "exception", "the FHIR server's response is encoded (" + headers.get(HttpHeader.CONTENT_ENCODING)
                        + "), so it cannot be checked");
            }
            String contentType = headers.get(HttpHeader.CONTENT_TYPE);
            JsonNode json = contentType != null && contentType.toLowerCase(Locale.ROOT).contains("json") ? SmartJson.parse(body) : null;
            if (json == null) {
                return refused(502, "exception", "the FHIR server's response is not JSON, so it cannot be checked");
            }
            String problem = policy.checkResponse(grant, json, decision);
            if (problem != null) {
                return refused(403, "forbidden", "the response holds " + problem + "; nothing of it is returned");
            }
            return Answer.pass();
        }

        private Answer refused(int status, String issue, String message) {
            this.status = status;
            this.issue = issue;
            this.message = message;
            return null;
        }

        @Override
        public void refuse(Response response, Callback callback) {
            if (status == 403 && issue.equals("forbidden")) {
                refusals.accept("insufficient_scope");
                TokenRejectedException refusal = new TokenRejectedException(TokenRejectedException.Reason.INSUFFICIENT_SCOPE, message);
                GatewayResponses.refusedFhir(response, callback, refusal, ProtectedResourceMetadata.url(request, route));
            } else {
                SmartRoute.this.refuse(response, callback, status, issue, issue.equals("too-costly") ? "response_too_large" : "upstream_unreadable", message);
            }
        }
    }
}
