package dev.latch.client.http;

import dev.latch.client.OAuthClientException;
import dev.latch.client.token.AccessToken;
import dev.latch.client.token.TokenSource;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Sends requests to an OAuth-protected API with {@code Authorization: Bearer} (RFC 6750 §2.1) from a
 * {@link TokenSource}.
 *
 * <ul>
 *   <li><b>Redirects</b> are followed here, not by the JDK, and only within the origin (scheme, host and
 *       port) of the original request. A redirect to any other origin — including https → http on the
 *       same host — is refused with an {@link OAuthClientException} rather than followed without the
 *       token: the stricter choice, since the request's body and URL can matter as much as the token,
 *       and a caller who wants to follow can do so knowingly. 303 (and 301/302 after a POST) become a
 *       GET without body, as browsers do; 307/308 keep method and body. At most {@code maxRedirects}.</li>
 *   <li><b>401 with {@code error="invalid_token"}</b> in {@code WWW-Authenticate} (RFC 6750 §3.1): the
 *       token is invalidated at the source, a new one is taken and the request is sent once more — only
 *       when its body can be sent again (no body, or a body of known length as the JDK's
 *       {@code BodyPublishers.ofString/ofByteArray/ofFile} make; a streamed body of unknown length is not
 *       replayed and the 401 is returned).</li>
 * </ul>
 */
public final class BearerHttpClient {

    private static final Pattern INVALID_TOKEN = Pattern.compile("error\\s*=\\s*\"?invalid_token\"?", Pattern.CASE_INSENSITIVE);

    private final HttpClient http;
    private final TokenSource tokens;
    private final int maxRedirects;

    private BearerHttpClient(HttpClient http, TokenSource tokens, int maxRedirects) {
        this.http = http;
        this.tokens = tokens;
        this.maxRedirects = maxRedirects;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Sends {@code request} with the bearer token, following same-origin redirects and retrying once on {@code invalid_token}. */
    public <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler) throws IOException, InterruptedException {
        URI origin = request.uri();
        HttpRequest current = request;
        AccessToken token = tokens.token();
        boolean retried = false;
        int redirects = 0;
        while (true) {
            HttpResponse<T> response = http.send(withToken(current, token), handler);
            int status = response.statusCode();
            if (status == 401 && !retried && saysInvalidToken(response) && replayable(current)) {
                discard(response);
                tokens.invalidate(token);
                token = tokens.token();
                retried = true;
                continue;
            }
            if (isRedirect(status) && response.headers().firstValue("Location").isPresent()) {
                String location = response.headers().firstValue("Location").get();
                URI target;
                try {
                    target = current.uri().resolve(location);
                } catch (IllegalArgumentException e) {
                    discard(response);
                    throw new OAuthClientException(current.uri() + " answered a redirect (" + status + ") to " + location
                            + ", which is not a URL; it is not followed");
                }
                if (!sameOrigin(origin, target)) {
                    discard(response);
                    throw new OAuthClientException("refused to follow a redirect from " + originOf(origin) + " to " + originOf(target)
                            + ": the request carries a bearer token");
                }
                if (++redirects > maxRedirects) {
                    discard(response);
                    throw new OAuthClientException("more than " + maxRedirects + " redirects from " + request.uri());
                }
                discard(response);
                current = redirected(current, target, status);
                continue;
            }
            return response;
        }
    }

    private static HttpRequest withToken(HttpRequest request, AccessToken token) {
        return HttpRequest.newBuilder(request, (name, value) -> !name.equalsIgnoreCase("Authorization"))
                .header("Authorization", "Bearer " + token.value()).build();
    }

    static boolean saysInvalidToken(HttpResponse<?> response) {
        List<String> challenges = response.headers().allValues("WWW-Authenticate");
        for (String c : challenges) {
            if (c.strip().toLowerCase(Locale.ROOT).startsWith("bearer") && INVALID_TOKEN.matcher(c).find()) {
                return true;
            }
        }
        return false;
    }

    static boolean replayable(HttpRequest request) {
        return request.bodyPublisher().map(p -> p.contentLength() >= 0).orElse(true);
    }

    private static boolean isRedirect(int status) {
        return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
    }

    private static HttpRequest redirected(HttpRequest request, URI target, int status) {
        boolean toGet = status == 303 || ((status == 301 || status == 302) && "POST".equals(request.method()));
        HttpRequest.Builder b = HttpRequest.newBuilder(request, (name, value) -> !(toGet && name.equalsIgnoreCase("Content-Type"))).uri(target);
        if (toGet) {
            b.GET();
        }
        return b.build();
    }

    static boolean sameOrigin(URI a, URI b) {
        return a.getScheme() != null && a.getScheme().equalsIgnoreCase(b.getScheme())
                && a.getHost() != null && a.getHost().equalsIgnoreCase(b.getHost())
                && port(a) == port(b);
    }

    private static int port(URI u) {
        if (u.getPort() != -1) {
            return u.getPort();
        }
        return "https".equalsIgnoreCase(u.getScheme()) ? 443 : "http".equalsIgnoreCase(u.getScheme()) ? 80 : -1;
    }

    private static String originOf(URI u) {
        return u.getScheme() + "://" + u.getRawAuthority();
    }

    private static void discard(HttpResponse<?> response) {
        if (response.body() instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (Exception ignored) {
                // the response is being thrown away
            }
        }
    }

    public static final class Builder {
        private HttpClient http;
        private TokenSource tokens;
        private int maxRedirects = 5;

        /** The HttpClient to send with; it must not follow redirects itself (the default one does not). */
        public Builder httpClient(HttpClient http) {
            if (http.followRedirects() != HttpClient.Redirect.NEVER) {
                throw new IllegalArgumentException("the HttpClient must not follow redirects itself (Redirect.NEVER)");
            }
            this.http = http;
            return this;
        }

        public Builder tokenSource(TokenSource tokens) {
            this.tokens = tokens;
            return this;
        }

        public Builder maxRedirects(int max) {
            if (max < 0) {
                throw new IllegalArgumentException("maxRedirects must not be negative");
            }
            this.maxRedirects = max;
            return this;
        }

        public BearerHttpClient build() {
            Objects.requireNonNull(tokens, "token source");
            HttpClient client = http != null ? http
                    : HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).connectTimeout(java.time.Duration.ofSeconds(10)).build();
            return new BearerHttpClient(client, tokens, maxRedirects);
        }
    }
}
