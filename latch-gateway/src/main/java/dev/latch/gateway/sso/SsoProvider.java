package dev.latch.gateway.sso;

import dev.latch.client.OAuthClientException;
import dev.latch.client.discovery.Discovery;
import dev.latch.client.discovery.ProviderMetadata;
import dev.latch.client.oidc.CodeExchange;
import dev.latch.client.oidc.IdTokenValidator;
import dev.latch.client.token.AccessToken;
import dev.latch.client.token.TokenClient;
import dev.latch.client.token.TokenEndpoint;
import dev.latch.client.token.TokenErrorException;
import dev.latch.client.token.TokenRequest;
import dev.latch.core.crypto.Digests;
import dev.latch.gateway.config.GatewayConfig;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;

/**
 * The OpenID provider of an sso route, as the gateway's client sees it: its metadata (discovery, kept for
 * five minutes, fetched again on the next request after a failure), the ID token validator of
 * {@code latch-client} for that metadata, the code exchange and the refresh grant. Refreshes of one
 * refresh token are single-flight and their answer is kept for 30 s, so a page's parallel requests that all
 * find the session about to expire share one refresh (a provider that rotates refresh tokens would
 * otherwise see the old one reused and end the session).
 */
final class SsoProvider {

    private static final Duration METADATA_TTL = Duration.ofMinutes(5);
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final Duration SHARED_REFRESH = Duration.ofSeconds(30);

    private final GatewayConfig.Sso settings;
    private final HttpClient http;
    private final Discovery discovery;
    private final TokenClient tokens;
    private final Clock clock;
    private volatile Validated validated;
    private final Map<String, Flight> refreshes = new ConcurrentHashMap<>();

    private record Validated(ProviderMetadata metadata, IdTokenValidator validator) {}

    private record Flight(CompletableFuture<AccessToken> answer, Instant started) {}

    SsoProvider(GatewayConfig.Sso settings, HttpClient http, Clock clock) {
        this.settings = settings;
        this.http = http;
        this.clock = clock;
        this.discovery = new Discovery(http, clock, METADATA_TTL, TIMEOUT);
        this.tokens = TokenClient.builder().httpClient(http).clock(clock).requestTimeout(TIMEOUT).build();
    }

    GatewayConfig.Sso settings() {
        return settings;
    }

    Clock clock() {
        return clock;
    }

    /**
     * The provider's metadata.
     *
     * @throws OAuthClientException naming why the provider cannot be used (unreachable, wrong issuer, …)
     */
    ProviderMetadata metadata() {
        ProviderMetadata metadata = discovery.discover(settings.issuer());
        if (metadata.authorizationEndpoint() == null || metadata.tokenEndpoint() == null || metadata.jwksUri() == null) {
            throw new OAuthClientException("the provider " + settings.issuer() + " publishes no "
                    + (metadata.authorizationEndpoint() == null ? "authorization_endpoint"
                    : metadata.tokenEndpoint() == null ? "token_endpoint" : "jwks_uri") + "; it cannot sign browsers in");
        }
        return metadata;
    }

    /** The ID token validator for the current metadata (one per metadata document, so its JWKS cache lives on). */
    private IdTokenValidator validator(ProviderMetadata metadata) {
        Validated v = validated;
        if (v == null || v.metadata() != metadata) {
            synchronized (this) {
                v = validated;
                if (v == null || v.metadata() != metadata) {
                    v = new Validated(metadata, IdTokenValidator.builder().metadata(metadata).clientId(settings.clientId())
                            .httpClient(http).clock(clock).build());
                    validated = v;
                }
            }
        }
        return v.validator();
    }

    /** The authorization request URL (code flow, PKCE S256, state and nonce). */
    URI authorizationUrl(ProviderMetadata metadata, URI redirectUri, String state, String nonce, String codeChallenge) {
        String base = metadata.authorizationEndpoint().toString();
        StringBuilder url = new StringBuilder(base).append(base.contains("?") ? '&' : '?');
        url.append("response_type=code");
        param(url, "client_id", settings.clientId());
        param(url, "redirect_uri", redirectUri.toString());
        param(url, "scope", String.join(" ", settings.scopes()));
        param(url, "state", state);
        param(url, "nonce", nonce);
        param(url, "code_challenge", codeChallenge);
        param(url, "code_challenge_method", "S256");
        return URI.create(url.toString());
    }

    /** The provider's RP-initiated logout URL, or null when it has none. */
    URI endSessionUrl(ProviderMetadata metadata, String idToken, URI postLogoutRedirect) {
        if (metadata.endSessionEndpoint() == null) {
            return null;
        }
        String base = metadata.endSessionEndpoint().toString();
        StringBuilder url = new StringBuilder(base).append(base.contains("?") ? '&' : '?');
        url.append("client_id=").append(encode(settings.clientId()));
        if (idToken != null) param(url, "id_token_hint", idToken);
        if (postLogoutRedirect != null) param(url, "post_logout_redirect_uri", postLogoutRedirect.toString());
        return URI.create(url.toString());
    }

    /** Exchanges the code; the ID token is validated (signature, iss, aud, exp, nonce, at_hash). */
    CodeExchange.SignIn exchange(ProviderMetadata metadata, String code, URI redirectUri, String verifier, String nonce) {
        return new CodeExchange(tokens, TokenEndpoint.of(metadata), settings.authentication(), validator(metadata))
                .exchange(code, redirectUri, verifier, nonce);
    }

    /** Validates the ID token of a refresh response (OIDC Core §12.2: no nonce). */
    com.nimbusds.jwt.JWTClaimsSet validateRefreshed(ProviderMetadata metadata, String idToken, String accessToken) {
        return validator(metadata).validate(idToken, null, accessToken);
    }

    /**
     * The refresh grant, shared by concurrent callers with the same refresh token.
     *
     * @throws TokenErrorException when the provider refuses (the session is over)
     * @throws OAuthClientException when it cannot be reached
     */
    AccessToken refresh(ProviderMetadata metadata, String refreshToken) {
        Instant now = clock.instant();
        refreshes.values().removeIf(f -> f.answer().isDone() && f.started().plus(SHARED_REFRESH).isBefore(now));
        String key = Digests.sha256Hex(refreshToken);
        Flight mine = new Flight(new CompletableFuture<>(), now);
        Flight flight = refreshes.putIfAbsent(key, mine);
        if (flight == null) {
            try {
                mine.answer().complete(tokens.request(TokenEndpoint.of(metadata), settings.authentication(),
                        TokenRequest.refreshToken(refreshToken)));
            } catch (RuntimeException e) {
                mine.answer().completeExceptionally(e);
                refreshes.remove(key, mine);
            }
            flight = mine;
        }
        try {
            return flight.answer().get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new OAuthClientException("the refresh failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new OAuthClientException("interrupted while refreshing the session's tokens");
        }
    }

    /**
     * The provider's userinfo claims for {@code accessToken} (OIDC Core §5.3), or an empty map when it has no
     * userinfo endpoint. Many providers put {@code email} and {@code preferred_username} there rather than in
     * the ID token when an access token is issued (§5.4).
     *
     * @throws OAuthClientException when the answer cannot be had or is not about {@code subject} (§5.3.4)
     */
    Map<String, Object> userinfo(ProviderMetadata metadata, String accessToken, String subject) {
        if (metadata.userinfoEndpoint() == null) {
            return Map.of();
        }
        try {
            HttpResponse<byte[]> answer = http.send(HttpRequest.newBuilder(metadata.userinfoEndpoint()).timeout(TIMEOUT)
                    .header("Authorization", "Bearer " + accessToken).header("Accept", "application/json").GET().build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            if (answer.statusCode() != 200) {
                throw new OAuthClientException("the userinfo endpoint " + metadata.userinfoEndpoint() + " answered HTTP " + answer.statusCode());
            }
            Map<String, Object> claims = dev.latch.gateway.http.GatewayResponses.JSON.readValue(answer.body(), new com.fasterxml.jackson.core.type.TypeReference<>() {});
            if (!subject.equals(claims.get("sub"))) {
                throw new OAuthClientException("the userinfo answer is about " + claims.get("sub") + ", not the signed-in " + subject);
            }
            return claims;
        } catch (java.io.IOException e) {
            throw new OAuthClientException("the userinfo endpoint " + metadata.userinfoEndpoint() + " could not be read: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new OAuthClientException("interrupted while reading userinfo");
        }
    }

    /** Null when the provider's metadata can be had, else why not (for /healthz). */
    String problem() {
        try {
            metadata();
            return null;
        } catch (RuntimeException e) {
            return e.getMessage();
        }
    }

    /**
     * What {@code latch gateway --check} can learn before start: the metadata; the client and its
     * credentials (a token request with a code that cannot exist is answered {@code invalid_grant} for a
     * known client and {@code invalid_client} for a wrong id or secret); and, when a redirect URI is
     * configured, whether the provider accepts it (an authorization request it refuses is answered with an
     * error page rather than a redirect to sign-in).
     */
    List<String> check() {
        List<String> problems = new ArrayList<>();
        ProviderMetadata metadata;
        try {
            metadata = metadata();
        } catch (RuntimeException e) {
            problems.add(e.getMessage());
            return problems;
        }
        URI redirect = settings.redirectUri() != null ? settings.redirectUri() : URI.create("http://localhost/oauth2/callback");
        try {
            tokens.request(TokenEndpoint.of(metadata), settings.authentication(),
                    TokenRequest.authorizationCode("latch-gateway-check-" + Long.toHexString(clock.millis()), redirect, "x".repeat(43)));
            problems.add("the provider accepted a made-up authorization code for client " + settings.clientId() + "; refusing to trust it");
        } catch (TokenErrorException e) {
            if ("invalid_client".equals(e.error()) || "unauthorized_client".equals(e.error())) {
                problems.add("the provider refused the client " + settings.clientId() + " (" + e.error()
                        + (e.errorDescription() == null ? "" : ": " + e.errorDescription()) + "): check client-id and client-secret or private-key");
            }
        } catch (RuntimeException e) {
            problems.add("the token endpoint " + metadata.tokenEndpoint() + " could not be reached: " + e.getMessage());
        }
        if (settings.redirectUri() != null) {
            URI url = authorizationUrl(metadata, settings.redirectUri(), "check", "check", "x".repeat(43));
            try {
                HttpResponse<String> answer = http.send(HttpRequest.newBuilder(url).timeout(TIMEOUT).GET().build(),
                        HttpResponse.BodyHandlers.ofString());
                int status = answer.statusCode();
                String location = answer.headers().firstValue("Location").orElse("");
                boolean redirectsBackWithError = location.startsWith(settings.redirectUri().toString()) && location.contains("error=");
                if (status >= 400 || redirectsBackWithError) {
                    problems.add("the provider refused an authorization request for client " + settings.clientId() + " with redirect URI "
                            + settings.redirectUri() + " (HTTP " + status + "): register that redirect URI for the client");
                }
            } catch (java.io.IOException e) {
                problems.add("the authorization endpoint " + metadata.authorizationEndpoint() + " could not be reached: " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return problems;
    }

    private static void param(StringBuilder url, String name, String value) {
        url.append('&').append(name).append('=').append(encode(value));
    }

    static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
