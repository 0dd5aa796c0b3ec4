package dev.latch.client.token;

import com.nimbusds.jose.util.JSONObjectUtils;
import dev.latch.client.OAuthClientException;
import dev.latch.client.auth.ClientAuthentication;
import dev.latch.client.auth.FormPost;
import dev.latch.client.fetch.HttpFailure;
import dev.latch.client.fetch.ResponseBodies;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One-shot token requests (RFC 6749 §3.2) over the JDK's HttpClient: the grant's parameters, the
 * client authentication, one POST (redirects are not followed: credentials are never sent on), and
 * the response parsed strictly.
 *
 * <ul>
 *   <li>200 with JSON: {@code access_token} required; {@code token_type} compared case-insensitively and
 *       refused unless Bearer (or allowed, or {@code N_A} for token exchange, RFC 8693 §2.2.1);
 *       {@code expires_in} missing, a number or a numeric string.</li>
 *   <li>An RFC 6749 §5.2 error body: {@link TokenErrorException}; for a refresh, {@code invalid_grant} is
 *       {@link ReauthenticationRequiredException}.</li>
 *   <li>5xx / 429 / network failure: {@link TokenEndpointUnavailableException} with {@code Retry-After}.</li>
 *   <li>Anything else (HTML page, non-JSON, no access token, TLS failure): {@link OAuthClientException}.</li>
 * </ul>
 */
public final class TokenClient {

    private final HttpClient http;
    private final Duration timeout;
    private final Clock clock;
    private final String scopeSeparator;
    private final boolean allowNonBearer;

    private TokenClient(Builder b) {
        this.http = b.http != null ? b.http
                : HttpClient.newBuilder().connectTimeout(b.connectTimeout).followRedirects(HttpClient.Redirect.NEVER).build();
        this.timeout = b.timeout;
        this.clock = b.clock;
        this.scopeSeparator = b.scopeSeparator;
        this.allowNonBearer = b.allowNonBearer;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A client with defaults: 10 s to connect, 30 s per request, system clock, space-separated scopes, Bearer only. */
    public static TokenClient create() {
        return builder().build();
    }

    public Clock clock() {
        return clock;
    }

    /** Sends {@code request} authenticated by {@code authentication}. */
    public AccessToken request(TokenEndpoint endpoint, ClientAuthentication authentication, TokenRequest request) {
        Objects.requireNonNull(authentication, "client authentication (use ClientAuthentication.none for a public client)");
        return send(endpoint, authentication, request);
    }

    /** Sends {@code request} with no client authentication: for a JWT-bearer grant whose assertion is the only credential (RFC 7523 §2.1). */
    public AccessToken request(TokenEndpoint endpoint, TokenRequest request) {
        return send(endpoint, null, request);
    }

    /** The form that would be posted, for tests and for {@code latch token --dry-run} style output. */
    public FormPost form(TokenEndpoint endpoint, ClientAuthentication authentication, TokenRequest request) {
        FormPost post = new FormPost(endpoint.url());
        request.writeTo(post, endpoint.issuer(), scopeSeparator);
        if (authentication != null) {
            authentication.apply(post, endpoint.issuer());
        }
        return post;
    }

    private AccessToken send(TokenEndpoint endpoint, ClientAuthentication authentication, TokenRequest request) {
        FormPost post = form(endpoint, authentication, request);
        HttpResponse<InputStream> response;
        String body;
        // expires_in counts from when the server answered; counting from before the request was sent
        // errs on the early side by the round trip, never late
        Instant sent = clock.instant();
        try {
            response = this.http.send(post.toHttpRequest(timeout), HttpResponse.BodyHandlers.ofInputStream());
            body = ResponseBodies.utf8(response.body(), ResponseBodies.MAX_BYTES).orElseThrow(() -> new OAuthClientException(
                    "token endpoint " + endpoint.url() + " answered more than " + ResponseBodies.MAX_BYTES + " bytes"));
        } catch (IOException e) {
            String message = "token endpoint: " + HttpFailure.describe(endpoint.url(), e);
            if (HttpFailure.isTls(e)) {
                throw new OAuthClientException(message, e);
            }
            throw new TokenEndpointUnavailableException(message, null, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new OAuthClientException("interrupted while waiting for the token endpoint", e);
        }
        return parse(endpoint.url(), response.statusCode(), response.headers().firstValue("Content-Type"),
                response.headers().firstValue("Retry-After"), body, request, clock, sent, allowNonBearer);
    }

    /** Parses a token endpoint response (see the class comment). */
    static AccessToken parse(URI url, int status, Optional<String> contentType, Optional<String> retryAfter, String body,
                             TokenRequest request, Clock clock, Instant sentAt, boolean allowNonBearer) {
        Map<String, Object> json = null;
        try {
            json = JSONObjectUtils.parse(body);
        } catch (java.text.ParseException notJson) {
            // handled below by status
        }
        if (status == 429 || status >= 500) {
            Duration after = HttpFailure.retryAfter(retryAfter, clock).orElse(null);
            String error = json != null && json.get("error") instanceof String e ? " " + e : "";
            throw new TokenEndpointUnavailableException("token endpoint " + url + " answered " + status + error
                    + (after == null ? "" : " (retry after " + after.toSeconds() + " s)"), after, null);
        }
        if (json != null && json.get("error") instanceof String error && status != 200) {
            String description = json.get("error_description") instanceof String d ? d : null;
            String uri = json.get("error_uri") instanceof String u ? u : null;
            if ("invalid_grant".equals(error) && request instanceof TokenRequest.RefreshToken) {
                throw new ReauthenticationRequiredException(description, uri, status);
            }
            throw new TokenErrorException(error, description, uri, status);
        }
        if (status >= 300 && status < 400) {
            throw new OAuthClientException("token endpoint " + url + " answered a redirect (" + status + "); it is not followed");
        }
        if (status != 200) {
            throw new OAuthClientException("token endpoint " + url + " answered " + status + " " + describeBody(contentType, body)
                    + ", not an OAuth error response");
        }
        if (json == null) {
            throw new OAuthClientException("token endpoint " + url + " answered 200 " + describeBody(contentType, body)
                    + ", not a JSON token response");
        }
        if (!(json.get("access_token") instanceof String accessToken) || accessToken.isEmpty()) {
            throw new OAuthClientException("token endpoint " + url + " answered 200 without an access_token");
        }
        String tokenType = json.get("token_type") instanceof String t ? t : null;
        if (tokenType == null) {
            throw new OAuthClientException("token endpoint " + url + " answered without a token_type (RFC 6749 §5.1 requires it)");
        }
        if (request instanceof TokenRequest.TokenExchange
                && (!(json.get("issued_token_type") instanceof String issued) || issued.isEmpty())) {
            throw new OAuthClientException("token endpoint " + url + " answered a token exchange without issued_token_type"
                    + " (RFC 8693 §2.2.1 requires it)");
        }
        boolean exchangeNotAccessToken = request instanceof TokenRequest.TokenExchange && "N_A".equals(tokenType);
        if (!"bearer".equalsIgnoreCase(tokenType) && !allowNonBearer && !exchangeNotAccessToken) {
            throw new OAuthClientException("token endpoint " + url + " issued a token of type " + tokenType
                    + "; only Bearer is accepted unless non-Bearer types are allowed");
        }
        Instant expiresAt = expiresIn(json.get("expires_in"), url).map(sentAt::plusSeconds).orElse(null);
        return new AccessToken(accessToken, tokenType, expiresAt,
                json.get("scope") instanceof String s ? s : null,
                json.get("refresh_token") instanceof String r ? r : null,
                json.get("id_token") instanceof String i ? i : null,
                json);
    }

    /** {@code expires_in}: absent, a JSON number, or (as some providers send it) a numeric string. */
    static Optional<Long> expiresIn(Object value, URI url) {
        if (value == null) {
            return Optional.empty();
        }
        long seconds;
        if (value instanceof Number n) {
            seconds = n.longValue();
        } else if (value instanceof String s) {
            try {
                seconds = (long) Double.parseDouble(s.strip());
            } catch (NumberFormatException e) {
                throw new OAuthClientException("token endpoint " + url + " sent expires_in \"" + s + "\", not a number");
            }
        } else {
            throw new OAuthClientException("token endpoint " + url + " sent expires_in of the wrong type");
        }
        if (seconds < 0) {
            throw new OAuthClientException("token endpoint " + url + " sent a negative expires_in");
        }
        return Optional.of(seconds);
    }

    private static String describeBody(Optional<String> contentType, String body) {
        String type = contentType.map(t -> t.split(";")[0].strip()).orElse("no content type");
        if (body.isBlank()) {
            return "with an empty body";
        }
        if (type.contains("html") || body.stripLeading().startsWith("<")) {
            return "with an HTML page (" + type + ")";
        }
        return "with " + type;
    }

    public static final class Builder {
        private HttpClient http;
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration timeout = Duration.ofSeconds(30);
        private Clock clock = Clock.systemUTC();
        private String scopeSeparator = " ";
        private boolean allowNonBearer;

        /** Use this HttpClient (it should not follow redirects); by default one is made with the connect timeout. */
        public Builder httpClient(HttpClient http) {
            this.http = http;
            return this;
        }

        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = Objects.requireNonNull(timeout);
            return this;
        }

        /** The whole request's time limit (30 s by default). */
        public Builder requestTimeout(Duration timeout) {
            this.timeout = Objects.requireNonNull(timeout);
            return this;
        }

        /** The clock that turns {@code expires_in} into an expiry instant. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock);
            return this;
        }

        /** The separator between scope values: a space (RFC 6749 §3.3) by default; a comma for providers that need one. */
        public Builder scopeSeparator(String separator) {
            if (separator == null || separator.isEmpty()) {
                throw new IllegalArgumentException("scope separator must not be empty");
            }
            this.scopeSeparator = separator;
            return this;
        }

        /** Accept token types other than Bearer (e.g. DPoP-bound tokens handled by the caller). */
        public Builder allowNonBearer(boolean allow) {
            this.allowNonBearer = allow;
            return this;
        }

        public TokenClient build() {
            return new TokenClient(this);
        }
    }
}
