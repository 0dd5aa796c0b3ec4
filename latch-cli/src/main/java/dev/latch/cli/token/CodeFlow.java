package dev.latch.cli.token;

import dev.latch.client.auth.ClientAuthentication;
import dev.latch.client.discovery.ProviderMetadata;
import dev.latch.client.oidc.CodeExchange;
import dev.latch.client.oidc.IdTokenValidator;
import dev.latch.client.token.AccessToken;
import dev.latch.client.token.TokenClient;
import dev.latch.client.token.TokenEndpoint;
import dev.latch.client.token.TokenRequest;
import dev.latch.core.pkce.Pkce;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The authorization code flow of a native app (RFC 6749 §4.1, RFC 7636, RFC 8252): PKCE S256, a
 * fresh {@code state} and {@code nonce}, the browser sent to the authorization endpoint, the response
 * received on the loopback redirect and accepted only when its {@code iss} (RFC 9207) and
 * {@code state} are right, the code exchanged with the verifier, and the ID token validated by the
 * client library ({@link CodeExchange}, {@link IdTokenValidator}).
 */
record CodeFlow(CommandSpec spec, Browser browser, Clock clock, Duration timeout, HttpClient http) {


    AccessToken run(ProviderMetadata metadata, TokenClient client, TokenEndpoint endpoint, ClientAuthentication authentication,
                    String[] scopes, List<String> resources, int port) {
        if (metadata.authorizationEndpoint() == null) {
            throw new IllegalStateException("the metadata of " + metadata.issuer() + " names no authorization_endpoint");
        }
        Pkce pkce = Pkce.create();
        String state = dev.latch.core.crypto.RandomValues.urlSafe256();
        boolean openid = Arrays.asList(scopes).contains("openid");
        String nonce = openid ? dev.latch.core.crypto.RandomValues.urlSafe256() : null;

        PrintWriter err = spec.commandLine().getErr();
        try (LoopbackRedirect redirect = LoopbackRedirect.listen(port, p -> verdict(p, metadata, state), problem -> {
            err.println("latch: refused a request to the redirect (still waiting for the sign-in): " + problem);
            err.flush();
        })) {
            URI redirectUri = redirect.redirectUri();
            Map<String, List<String>> request = new LinkedHashMap<>();
            request.put("response_type", List.of("code"));
            request.put("client_id", List.of(authentication.clientId()));
            request.put("redirect_uri", List.of(redirectUri.toString()));
            request.put("scope", List.of(String.join(" ", scopes)));
            request.put("state", List.of(state));
            if (nonce != null) request.put("nonce", List.of(nonce));
            if (Arrays.asList(scopes).contains("offline_access")) {
                request.put("prompt", List.of("consent")); // OIDC Core §11: offline_access is granted only with prompt=consent
            }
            request.put("code_challenge", List.of(pkce.challenge()));
            request.put("code_challenge_method", List.of("S256"));
            if (!resources.isEmpty()) request.put("resource", resources);
            String base = metadata.authorizationEndpoint().toString();
            URI url = URI.create(base + (base.contains("?") ? "&" : "?") + query(request));

            boolean opened = browser.open(url);
            err.println("latch: " + (opened ? "opened the browser; if it shows nothing, open" : "open this URL in a browser to sign in") + ": " + url);
            err.println("latch: waiting up to " + human(timeout) + " for the redirect to " + redirectUri);
            err.flush();

            LoopbackRedirect.Response response;
            try {
                response = redirect.await(timeout);
            } catch (TimeoutException e) {
                String refused = redirect.lastRefusal();
                throw new IllegalStateException("no authorization response within " + human(timeout)
                        + (refused == null ? " (nothing reached " + redirectUri + ")" : " (the last request to " + redirectUri + " was refused: " + refused + ")")
                        + "; sign in again, or allow more time with --timeout");
            }
            if (response.problem() != null) {
                throw new IllegalStateException(response.problem());
            }
            String code = response.parameters().get("code");
            if (!openid) {
                return client.request(endpoint, authentication, TokenRequest.authorizationCode(code, redirectUri, pkce.verifier()));
            }
            // OIDC Core §3.1.3.5-3.1.3.7: signature by the issuer's JWKS, iss, aud, azp, exp, iat, nonce, at_hash
            IdTokenValidator validator = IdTokenValidator.builder().metadata(metadata).clientId(authentication.clientId())
                    .clock(clock).httpClient(http).build();
            return new CodeExchange(client, endpoint, authentication, validator).exchange(code, redirectUri, pkce.verifier(), nonce).tokens();
        }
    }

    /**
     * What to make of a request to the redirect: iss first (RFC 9207 §2.4: before anything else is
     * used), then state (RFC 6749 §10.12) — a request failing either is refused and the wait goes on,
     * since it is not this sign-in's response (stray, stale or forged); then an error response or a
     * response without code, which end the sign-in; else accepted.
     */
    static LoopbackRedirect.Verdict verdict(Map<String, String> p, ProviderMetadata metadata, String state) {
        String iss = p.get("iss");
        if (iss != null && !iss.equals(metadata.issuer())) {
            return LoopbackRedirect.Verdict.refused("the authorization response comes from issuer " + iss + ", not " + metadata.issuer()
                    + " (RFC 9207): refused, it may be a mix-up attack");
        }
        if (iss == null && metadata.authorizationResponseIssParameterSupported()) {
            return LoopbackRedirect.Verdict.refused("the authorization response has no iss although " + metadata.issuer()
                    + " says it sends one (RFC 9207): refused");
        }
        if (!state.equals(p.get("state"))) {
            return LoopbackRedirect.Verdict.refused("the authorization response's state "
                    + (p.get("state") == null ? "is missing" : "does not match this request")
                    + ": it belongs to another sign-in (or is forged); refused");
        }
        if (p.containsKey("error")) {
            String description = p.get("error_description");
            return LoopbackRedirect.Verdict.failed(p.get("error") + (description == null || description.isBlank() ? "" : ": " + description));
        }
        if (p.get("code") == null || p.get("code").isEmpty()) {
            return LoopbackRedirect.Verdict.failed("the authorization response carries neither code nor error");
        }
        return LoopbackRedirect.Verdict.ACCEPTED;
    }

    static String query(Map<String, List<String>> parameters) {
        StringJoiner j = new StringJoiner("&");
        parameters.forEach((k, values) -> values.forEach(v ->
                j.add(URLEncoder.encode(k, StandardCharsets.UTF_8) + "=" + URLEncoder.encode(v, StandardCharsets.UTF_8))));
        return j.toString();
    }

    static String human(Duration d) {
        if (d.toMillis() < 1000) return d.toMillis() + " ms";
        return d.toSeconds() % 60 == 0 ? d.toMinutes() + " min" : d.toSeconds() + " s";
    }
}
