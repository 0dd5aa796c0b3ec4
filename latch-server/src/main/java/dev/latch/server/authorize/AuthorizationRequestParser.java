package dev.latch.server.authorize;

import dev.latch.core.error.OAuthError;
import dev.latch.server.client.Client;
import dev.latch.server.client.StoredClient;
import dev.latch.server.token.Audiences;
import dev.latch.server.token.TokenRequestChecks;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Checks an authorization request, in the order that decides where an error may go: first the client
 * and its redirect URI (errors shown as a page, never redirected), then everything else (errors sent
 * back to the client). RFC 6749 §4.1.1 and §4.1.2.1, OIDC Core §3.1.2, RFC 7636 §4, RFC 8252 §7.3,
 * RFC 8707, RFC 9700 §2.1 (PKCE) and §4.1 (exact redirect URI matching), SMART App Launch 2.2 ({@code aud}).
 */
public final class AuthorizationRequestParser {

    /** Longest value accepted for any parameter. */
    static final int MAX_VALUE = 2048;
    private static final Set<String> MULTI_VALUED = Set.of("resource");
    private static final Set<String> PROMPTS = Set.of("none", "login", "consent");
    /** RFC 7636 §4.2: an S256 challenge is the base64url SHA-256 of the verifier: 43 characters. */
    private static final Pattern S256_CHALLENGE = Pattern.compile("[A-Za-z0-9_-]{43}");

    /** Redeems a pushed request's URI (RFC 9126 §4): its parameters, once, for the client that pushed it. */
    public interface PushedRequests {
        Optional<Map<String, List<String>>> redeem(String requestUri, String clientId);
    }

    /** The parameters an authorization request stands for, and whether they were pushed (RFC 9126). */
    public record Resolved(Map<String, List<String>> parameters, boolean pushed) {}

    private final Function<String, Optional<StoredClient>> clients;
    private final PushedRequests pushedRequests;
    private final Audiences audiences;

    public AuthorizationRequestParser(Function<String, Optional<StoredClient>> clients) {
        this(clients, null);
    }

    /** @param pushedRequests null when pushed requests are not served: every request_uri is then refused */
    public AuthorizationRequestParser(Function<String, Optional<StoredClient>> clients, PushedRequests pushedRequests) {
        this(clients, pushedRequests, new Audiences(null, null));
    }

    /** @param audiences where tokens may be aimed: the clients' resources and, with SMART, the FHIR bases ({@code aud}) */
    public AuthorizationRequestParser(Function<String, Optional<StoredClient>> clients, PushedRequests pushedRequests, Audiences audiences) {
        this.clients = clients;
        this.pushedRequests = pushedRequests;
        this.audiences = audiences;
    }

    /**
     * @param parameters the query (GET) or form (POST) parameters, each with all its values
     * @throws AuthorizationError naming where the error must go
     */
    public AuthorizationRequest parse(Map<String, List<String>> parameters) {
        Resolved resolved = resolve(parameters);
        return parse(resolved.parameters(), resolved.pushed());
    }

    /**
     * Replaces a {@code request_uri} by the pushed parameters (RFC 9126 §4: the other front-channel
     * parameters are ignored). An unknown, expired, used or foreign request URI is an error page: the
     * redirect URI it would name cannot be trusted.
     */
    public Resolved resolve(Map<String, List<String>> parameters) {
        if (!parameters.containsKey("request_uri")) {
            return new Resolved(parameters, false);
        }
        List<String> uris = parameters.get("request_uri");
        String clientId = single(parameters, "client_id");
        if (pushedRequests == null || uris.size() != 1 || clientId == null) {
            throw AuthorizationError.page("invalid_request_uri", "the request_uri is not valid (unknown, expired, used or another client's)");
        }
        return pushedRequests.redeem(uris.get(0), clientId).map(p -> new Resolved(p, true))
                .orElseThrow(() -> AuthorizationError.page("invalid_request_uri",
                        "the request_uri is not valid (unknown, expired, used or another client's)"));
    }

    /**
     * Checks resolved parameters.
     *
     * @param pushed true when they came from a pushed request (or are being pushed), which satisfies a
     *               client's {@code require_pushed_authorization_requests}
     */
    public AuthorizationRequest parse(Map<String, List<String>> parameters, boolean pushed) {
        String clientId = single(parameters, "client_id");
        String redirectUri = single(parameters, "redirect_uri");
        if (parameters.containsKey("request_uri")) {
            throw AuthorizationError.page("invalid_request_uri", "the request_uri is not valid (unknown, expired, used or another client's)");
        }
        if (clientId == null) {
            throw AuthorizationError.page("invalid_request", "client_id is missing");
        }
        Client client = clients.apply(clientId).map(StoredClient::client).filter(Client::isEnabled)
                .orElseThrow(() -> AuthorizationError.page("invalid_client", "unknown client"));
        if (redirectUri == null) {
            throw AuthorizationError.page("invalid_request", "redirect_uri is missing");
        }
        if (!redirectUriRegistered(client, redirectUri)) {
            throw AuthorizationError.page("invalid_request", "redirect_uri is not registered for this client");
        }

        String state = redirectable(parameters, "state", redirectUri, null, "query");
        String responseMode = redirectable(parameters, "response_mode", redirectUri, state, "query");
        if (responseMode == null) {
            responseMode = "query";
        } else if (!responseMode.equals("query") && !responseMode.equals("form_post")) {
            throw AuthorizationError.redirect("invalid_request", "response_mode must be query or form_post", redirectUri, state, "query");
        }
        String mode = responseMode;
        for (Map.Entry<String, List<String>> p : parameters.entrySet()) {
            if (p.getValue().size() > 1 && !MULTI_VALUED.contains(p.getKey())) {
                throw fail("invalid_request", "parameter " + p.getKey() + " is repeated", redirectUri, state, mode);
            }
            for (String v : p.getValue()) {
                if (v != null && v.length() > MAX_VALUE) {
                    throw fail("invalid_request", "parameter " + p.getKey() + " is longer than " + MAX_VALUE + " characters", redirectUri, state, mode);
                }
            }
        }
        if (parameters.containsKey("request")) {
            throw fail("request_not_supported", "request objects are not supported; send the parameters themselves", redirectUri, state, mode);
        }
        String responseType = single(parameters, "response_type");
        if (responseType == null) {
            throw fail("invalid_request", "response_type is missing", redirectUri, state, mode);
        }
        if (!pushed && Boolean.TRUE.equals(client.requirePushedAuthorizationRequests())) {
            throw fail("invalid_request", "this client must push its authorization requests (RFC 9126)", redirectUri, state, mode);
        }
        if (!responseType.equals("code")) {
            throw fail("unsupported_response_type", "only response_type=code is supported", redirectUri, state, mode);
        }
        if (!client.allowsGrant("authorization_code")) {
            throw fail("unauthorized_client", "the client may not use the authorization code flow", redirectUri, state, mode);
        }
        String scope;
        try {
            scope = TokenRequestChecks.checkScope(client, single(parameters, "scope"));
        } catch (OAuthError e) {
            throw fail(e.code(), e.description(), redirectUri, state, mode);
        }
        String codeChallenge = codeChallenge(client, parameters, redirectUri, state, mode);
        Set<String> prompt = prompt(single(parameters, "prompt"), redirectUri, state, mode);
        Long maxAge = maxAge(single(parameters, "max_age"), redirectUri, state, mode);
        List<String> resources = parameters.getOrDefault("resource", List.of());
        try {
            if (!resources.isEmpty()) {
                resources = TokenRequestChecks.checkAudience(client, resources, audiences);
            }
            Optional<String> fhirBase = audiences.authorizeAud(scope, single(parameters, "aud"));
            if (fhirBase.isPresent() && !resources.contains(fhirBase.get())) {
                // SMART: the token is aimed at the FHIR server the app named, so its front can require that aud
                resources = new java.util.ArrayList<>(resources);
                resources.add(fhirBase.get());
            }
        } catch (OAuthError e) {
            throw fail(e.code(), e.description(), redirectUri, state, mode);
        }
        String locales = single(parameters, "ui_locales");
        List<String> uiLocales = locales == null ? List.of() : List.of(locales.trim().split("\\s+"));
        return new AuthorizationRequest(client, redirectUri, responseMode, scope, state, single(parameters, "nonce"), prompt,
                maxAge, single(parameters, "login_hint"), uiLocales, List.copyOf(resources), codeChallenge);
    }

    private static String codeChallenge(Client client, Map<String, List<String>> p, String redirectUri, String state, String mode) {
        String challenge = single(p, "code_challenge");
        String method = single(p, "code_challenge_method");
        if (challenge == null) {
            if (method != null) {
                throw fail("invalid_request", "code_challenge_method without code_challenge", redirectUri, state, mode);
            }
            if (client.pkceRequired()) {
                throw fail("invalid_request", "PKCE is required: send code_challenge with code_challenge_method=S256", redirectUri, state, mode);
            }
            return null;
        }
        if (!"S256".equals(method)) {
            // RFC 7636 §4.3 defaults a missing method to "plain", which is never accepted (RFC 9700 §2.1.1)
            throw fail("invalid_request", "code_challenge_method must be S256", redirectUri, state, mode);
        }
        if (!S256_CHALLENGE.matcher(challenge).matches()) {
            throw fail("invalid_request", "code_challenge is not a base64url SHA-256 value (43 characters)", redirectUri, state, mode);
        }
        return challenge;
    }

    private static Set<String> prompt(String value, String redirectUri, String state, String mode) {
        if (value == null) {
            return Set.of();
        }
        Set<String> values = new LinkedHashSet<>(List.of(value.trim().split("\\s+")));
        for (String v : values) {
            if (!PROMPTS.contains(v)) {
                throw fail("invalid_request", "prompt " + v + " is not supported (none, login, consent)", redirectUri, state, mode);
            }
        }
        if (values.contains("none") && values.size() > 1) {
            throw fail("invalid_request", "prompt=none cannot be combined with other values", redirectUri, state, mode);
        }
        return Set.copyOf(values);
    }

    private static Long maxAge(String value, String redirectUri, String state, String mode) {
        if (value == null) {
            return null;
        }
        try {
            long v = Long.parseLong(value);
            if (v < 0) throw new NumberFormatException();
            return v;
        } catch (NumberFormatException e) {
            throw fail("invalid_request", "max_age must be a non-negative number of seconds", redirectUri, state, mode);
        }
    }

    /**
     * RFC 9700 §4.1.3: exact string match; RFC 8252 §7.3: for native clients, a loopback redirect URI
     * matches whatever its port.
     */
    static boolean redirectUriRegistered(Client client, String redirectUri) {
        List<String> registered = client.redirectUris() == null ? List.of() : client.redirectUris();
        if (registered.contains(redirectUri)) {
            return true;
        }
        if (!client.isNative()) {
            return false;
        }
        URI asked = loopback(redirectUri);
        if (asked == null) {
            return false;
        }
        for (String r : registered) {
            URI reg = loopback(r);
            if (reg != null && reg.getHost().equals(asked.getHost()) && java.util.Objects.equals(reg.getRawPath(), asked.getRawPath())
                    && java.util.Objects.equals(reg.getRawQuery(), asked.getRawQuery())) {
                return true;
            }
        }
        return false;
    }

    private static URI loopback(String value) {
        try {
            URI uri = new URI(value);
            if ("http".equals(uri.getScheme()) && uri.getFragment() == null && uri.getUserInfo() == null
                    && ("127.0.0.1".equals(uri.getHost()) || "[::1]".equals(uri.getHost()))) {
                return uri;
            }
        } catch (URISyntaxException ignored) {
            // not a URI: no match
        }
        return null;
    }

    /** A single-valued parameter; repeated client_id or redirect_uri cannot be trusted, so they are page errors. */
    private static String single(Map<String, List<String>> p, String name) {
        List<String> values = p.get(name);
        if (values == null || values.isEmpty()) {
            return null;
        }
        if (values.size() > 1 && (name.equals("client_id") || name.equals("redirect_uri"))) {
            throw AuthorizationError.page("invalid_request", "parameter " + name + " is repeated");
        }
        String v = values.get(0);
        return v == null || v.isEmpty() ? null : v;
    }

    private static String redirectable(Map<String, List<String>> p, String name, String redirectUri, String state, String mode) {
        List<String> values = p.get(name);
        if (values == null || values.isEmpty()) return null;
        if (values.size() > 1) {
            throw AuthorizationError.redirect("invalid_request", "parameter " + name + " is repeated", redirectUri,
                    name.equals("state") ? null : state, mode);
        }
        String v = values.get(0);
        if (v != null && v.length() > MAX_VALUE) {
            throw AuthorizationError.redirect("invalid_request", "parameter " + name + " is longer than " + MAX_VALUE + " characters",
                    redirectUri, name.equals("state") ? null : state, mode);
        }
        return v == null || v.isEmpty() ? null : v;
    }

    private static AuthorizationError fail(String code, String description, String redirectUri, String state, String mode) {
        return AuthorizationError.redirect(code, description, redirectUri, state, mode);
    }
}
