package dev.latch.cli.doctor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWK;
import dev.latch.cli.fetch.Fetch.Response;
import dev.latch.cli.fetch.Fetch;
import dev.latch.cli.jwt.JsonText;
import dev.latch.client.discovery.Discovery;
import dev.latch.core.fetch.FetchException;
import dev.latch.core.jose.JwsAlgorithms;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The checks of a provider set-up, each reporting what it saw and going on: discovery (OIDC
 * Discovery 1.0 §4, RFC 8414 §3), the issuer string (exact match, RFC 8414 §3.3), endpoint URLs,
 * clock skew, the JWKS and every key in it ({@link KeyChecks}), the token endpoint's error answers
 * (RFC 6749 §5.2) and what a given client is configured for.
 */
final class ProviderChecks {

    static final ObjectMapper JSON = new ObjectMapper();
    static final Duration SKEW_OK = Duration.ofSeconds(5);
    static final Duration SKEW_WARN = Duration.ofSeconds(60);

    /** What discovery found. */
    record Discovered(URI url, Response response, JsonNode metadata, boolean openId) {
        String text(String member) {
            JsonNode v = metadata.get(member);
            return v != null && v.isTextual() ? v.asText() : null;
        }

        /** A string array member, or null when absent or not an array of strings. */
        List<String> list(String member) {
            JsonNode v = metadata.get(member);
            if (v == null || !v.isArray()) return null;
            List<String> out = new ArrayList<>();
            v.forEach(x -> out.add(x.asText()));
            return out;
        }
    }

    private final Fetch fetch;
    private final Clock clock;
    private final Report report;
    private final boolean insecureLocalhost;

    ProviderChecks(Fetch fetch, Clock clock, Report report, boolean insecureLocalhost) {
        this.fetch = fetch;
        this.clock = clock;
        this.report = report;
        this.insecureLocalhost = insecureLocalhost;
    }

    // ---- the issuer URL itself ---------------------------------------------------------------

    /** https, or http on loopback only; no query or fragment (RFC 8414 §2). */
    void checkIssuerUrl(URI issuer) {
        if (issuer.getRawQuery() != null || issuer.getRawFragment() != null) {
            report.fail("issuer URL", issuer + " has a query or fragment, which an issuer must not have (RFC 8414 §2)",
                    "use the issuer without '?…' and '#…'");
        }
        scheme("issuer URL", issuer, "the issuer " + issuer);
    }

    /** Reports the scheme rule for one URL; returns false when it FAILed. */
    private boolean scheme(String subject, URI url, String what) {
        if ("https".equalsIgnoreCase(url.getScheme())) {
            return true;
        }
        if ("http".equalsIgnoreCase(url.getScheme()) && isLoopback(url)) {
            if (insecureLocalhost) {
                report.ok(subject, what + " is plain http on this machine (allowed by --insecure-localhost)");
            } else {
                report.warn(subject, what + " is plain http: acceptable on localhost for development only",
                        "serve https in any other set-up (pass --insecure-localhost to accept http on localhost)");
            }
            return true;
        }
        report.fail(subject, what + " is plain " + url.getScheme() + " outside localhost: tokens and secrets would cross the network"
                        + " unencrypted, and OIDC clients refuse it",
                "serve it over https (a TLS-terminating proxy is enough) and publish https URLs in the metadata");
        return false;
    }

    /** The client library's rule, so the doctor flags exactly what the library refuses. */
    static boolean isLoopback(URI url) {
        return dev.latch.client.fetch.EndpointUrls.isLoopback(url);
    }

    // ---- discovery ---------------------------------------------------------------------------

    /** Fetches metadata from the OIDC location, then the RFC 8414 one; reports and returns what was found. */
    Optional<Discovered> discover(URI issuer) {
        List<String> tried = new ArrayList<>();
        boolean unreachable = false;
        boolean html = false;
        for (URI url : Discovery.metadataUrls(issuer)) {
            Response r;
            try {
                r = fetch.get(url);
            } catch (FetchException e) {
                tried.add(e.getMessage());
                unreachable = true;
                break; // the same host: the second location would fail the same way
            }
            Optional<JsonNode> json = jsonObject(r);
            if (r.status() == 200 && json.isPresent()) {
                boolean openId = url.getPath().endsWith("/openid-configuration");
                report.ok("discovery", (openId ? "OpenID Connect discovery document" : "RFC 8414 authorization server metadata")
                        + " at " + url + (tried.isEmpty() ? "" : " (" + String.join("; ", tried) + ")"));
                return Optional.of(new Discovered(url, r, json.get(), openId));
            }
            html |= r.status() == 200 && looksLikeHtml(r);
            tried.add(url + " answered " + describeAnswer(r));
        }
        String fix = unreachable
                ? "check that the server runs and that the issuer's scheme, host and port are right"
                : html
                ? "the URL points at a web page (a login page, a proxy or an app), not at the authorization server: use exactly the"
                        + " 'issuer' its metadata names (Keycloak: https://HOST/realms/NAME, Entra ID: https://login.microsoftonline.com/TENANT/v2.0)"
                : "check the issuer's path (Keycloak: /realms/NAME, Entra ID: /TENANT/v2.0, Latch: the server's 'issuer' setting);"
                        + " the metadata lives at ISSUER/.well-known/openid-configuration or /.well-known/oauth-authorization-server/PATH";
        report.fail("discovery", "no metadata: " + String.join("; ", tried), fix);
        return Optional.empty();
    }

    /** How an unwanted answer looked, in a few words. */
    static String describeAnswer(Response r) {
        if (r.status() / 100 == 3) {
            return r.status() + " redirecting to " + r.headers().firstValue("Location").orElse("nowhere")
                    + " (metadata must be served at that URL itself; clients do not follow redirects there)";
        }
        if (r.status() != 200) {
            return r.status() + (r.body().isBlank() ? "" : " (" + r.excerpt() + ")");
        }
        String type = r.contentType().isEmpty() ? "no Content-Type" : r.contentType();
        return "200 with " + type + ", which is not a JSON object" + (r.body().isBlank() ? " (empty body)" : " (starts \"" + r.excerpt() + "\")");
    }

    static boolean looksLikeHtml(Response r) {
        String b = r.body().stripLeading().toLowerCase(Locale.ROOT);
        return r.contentType().toLowerCase(Locale.ROOT).contains("html") || b.startsWith("<!doctype") || b.startsWith("<html");
    }

    static Optional<JsonNode> jsonObject(Response r) {
        if (r.truncated()) return Optional.empty();
        try {
            JsonNode n = JSON.readTree(r.body());
            return n != null && n.isObject() ? Optional.of(n) : Optional.empty();
        } catch (java.io.IOException e) {
            return Optional.empty();
        }
    }

    // ---- what the metadata says --------------------------------------------------------------

    /** The metadata's {@code issuer} must equal the configured issuer character for character. */
    void checkIssuerMatches(String configured, Discovered d) {
        JsonNode v = d.metadata().get("issuer");
        if (v == null || !v.isTextual()) {
            report.fail("issuer", "the metadata has no issuer string", "publish \"issuer\": \"" + configured + "\" in the metadata");
            return;
        }
        String published = v.asText();
        if (published.equals(configured)) {
            report.ok("issuer", "the metadata names exactly the issuer you gave: " + configured);
            return;
        }
        String why;
        if (strip(published).equals(strip(configured))) {
            why = "they differ by a trailing slash";
        } else if (published.equalsIgnoreCase(configured)) {
            why = "they differ in letter case";
        } else {
            why = "they are different URLs";
        }
        report.fail("issuer", "the metadata names issuer \"" + published + "\" but you gave \"" + configured + "\": " + why
                        + "; clients compare them exactly and refuse the metadata and every token (iss) from it",
                "configure clients with exactly \"" + published + "\" if that is right; if the server is behind a proxy, set its"
                        + " public issuer URL (Latch: 'issuer'; Keycloak: the frontend/hostname URL) so it publishes \"" + configured + "\"");
    }

    private static String strip(String s) {
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }

    /** Members OIDC Discovery §3 and RFC 8414 §2 require. */
    void checkRequiredMembers(Discovered d) {
        if (d.text("token_endpoint") == null) {
            List<String> grants = d.list("grant_types_supported");
            boolean implicitOnly = grants != null && !grants.isEmpty() && grants.stream().allMatch("implicit"::equals);
            if (!implicitOnly) {
                report.fail("metadata", "no token_endpoint: clients cannot get tokens", "publish the token endpoint URL as \"token_endpoint\"");
            }
        }
        if (d.text("jwks_uri") == null) {
            String message = "no jwks_uri: nobody can verify the tokens this server signs";
            if (d.openId()) report.fail("metadata", message + " (OpenID Connect requires it)", "publish the JWK Set URL as \"jwks_uri\"");
            else report.warn("metadata", message, "publish the JWK Set URL as \"jwks_uri\" if the server signs tokens");
        }
        List<String> missing = new ArrayList<>();
        List<String> required = d.openId() ? List.of("authorization_endpoint", "response_types_supported", "subject_types_supported",
                "id_token_signing_alg_values_supported") : List.of("response_types_supported");
        for (String m : required) {
            if (d.metadata().get(m) == null) missing.add(m);
        }
        if (!missing.isEmpty()) {
            report.warn("metadata", "required members are missing: " + String.join(", ", missing)
                    + (d.openId() ? " (OpenID Connect Discovery §3)" : " (RFC 8414 §2)"), "publish them; strict client libraries refuse the metadata");
        }
    }

    /** Every endpoint and URI member: a string, an absolute http(s) URL, no fragment, https outside localhost. */
    void checkEndpoints(Discovered d) {
        Map<String, JsonNode> urls = new LinkedHashMap<>();
        d.metadata().properties().forEach(e -> {
            String name = e.getKey();
            if (name.endsWith("_endpoint") || name.endsWith("_uri") || name.equals("service_documentation")) {
                urls.put(name, e.getValue());
            }
        });
        JsonNode aliases = d.metadata().get("mtls_endpoint_aliases");
        if (aliases != null && aliases.isObject()) {
            aliases.properties().forEach(e -> urls.put("mtls_endpoint_aliases." + e.getKey(), e.getValue()));
        }
        int good = 0;
        boolean plainHttp = false;
        for (Map.Entry<String, JsonNode> e : urls.entrySet()) {
            String name = e.getKey();
            if (!e.getValue().isTextual()) {
                report.fail("endpoints", name + " is not a string but " + e.getValue().getNodeType().toString().toLowerCase(Locale.ROOT),
                        "publish " + name + " as an absolute URL string");
                continue;
            }
            String value = e.getValue().asText();
            URI url;
            try {
                url = new URI(value);
            } catch (URISyntaxException ex) {
                report.fail("endpoints", name + " \"" + value + "\" is not a URL: " + ex.getReason(), "publish " + name + " as an absolute https URL");
                continue;
            }
            if (!url.isAbsolute() || url.getHost() == null) {
                report.fail("endpoints", name + " \"" + value + "\" is a relative URL; clients need absolute URLs and will not resolve it",
                        "publish \"" + resolveAgainst(d, value) + "\" (the full URL)");
                continue;
            }
            if (!"https".equalsIgnoreCase(url.getScheme()) && !"http".equalsIgnoreCase(url.getScheme())) {
                report.fail("endpoints", name + " \"" + value + "\" is not an http(s) URL", "publish an https URL");
                continue;
            }
            if (url.getRawFragment() != null) {
                report.fail("endpoints", name + " \"" + value + "\" has a fragment (#…), which endpoint URLs must not have", "remove the fragment");
                continue;
            }
            if ("http".equalsIgnoreCase(url.getScheme())) {
                if (!isLoopback(url)) {
                    report.fail("endpoints", name + " \"" + value + "\" is plain http outside localhost: what is sent to it crosses the"
                            + " network unencrypted", "publish the https URL (behind a proxy: make the server aware of the https scheme,"
                            + " e.g. X-Forwarded-Proto)");
                    continue;
                }
                plainHttp = true;
            }
            good++;
        }
        if (good > 0 && good == urls.size()) {
            report.ok("endpoints", good + " endpoint URLs are absolute " + (plainHttp ? "(plain http on this machine)" : "https URLs"));
        }
    }

    private static String resolveAgainst(Discovered d, String value) {
        try {
            return d.url().resolve(value).toString();
        } catch (IllegalArgumentException e) {
            return value;
        }
    }

    /** The server's Date header against this machine's clock. */
    void checkClockSkew(Response r) {
        Optional<java.time.Instant> serverTime = r.date();
        if (serverTime.isEmpty()) {
            report.warn("clock", "the server sent no usable Date header, so the clock difference cannot be measured",
                    "make sure both clocks are synchronised with NTP");
            return;
        }
        Duration skew = Duration.between(clock.instant(), serverTime.get());
        Duration abs = skew.abs();
        String direction = skew.isNegative() ? "behind" : "ahead of";
        String measured = "the server's clock is " + JsonText.spelled(abs) + " " + direction + " this machine's (Date: "
                + r.headers().firstValue("Date").orElse("") + ")";
        String fix = "synchronise both clocks with NTP (e.g. timedatectl set-ntp true): iat, nbf and exp of tokens and client"
                + " assertions are checked with only 30 to 60 s of leeway";
        if (abs.compareTo(SKEW_OK) <= 0) {
            report.ok("clock", "the server's clock is within " + SKEW_OK.toSeconds() + " s of this machine's");
        } else if (abs.compareTo(SKEW_WARN) <= 0) {
            report.warn("clock", measured + "; within common leeway, but close", fix);
        } else {
            report.fail("clock", measured + ": fresh tokens will look expired or not yet valid, and client assertions be refused", fix);
        }
    }

    // ---- the JWKS ----------------------------------------------------------------------------

    /**
     * Fetches and checks the JWKS; returns the public keys that can verify signatures (empty when
     * none). With {@code keyFindings} false, only whether the set could be fetched is reported.
     */
    List<JWK> checkJwks(Discovered d, boolean keyFindings) {
        String jwksUri = d.text("jwks_uri");
        if (jwksUri == null) return List.of();
        URI url;
        try {
            url = new URI(jwksUri);
            if (!url.isAbsolute()) url = d.url().resolve(url);
        } catch (URISyntaxException | IllegalArgumentException e) {
            return List.of(); // reported by checkEndpoints
        }
        Response r;
        try {
            r = fetch.get(url);
        } catch (FetchException e) {
            report.fail("jwks", "the JWKS cannot be fetched: " + e.getMessage(),
                    "make jwks_uri reachable from clients and resource servers (firewall, DNS, the URL itself)");
            return List.of();
        }
        Optional<JsonNode> json = jsonObject(r);
        if (r.status() != 200 || json.isEmpty()) {
            report.fail("jwks", "jwks_uri " + url + " answered " + describeAnswer(r) + ": nobody can verify this server's tokens",
                    r.status() == 404 ? "publish the JWK Set at jwks_uri, or correct jwks_uri in the metadata"
                            : "serve the JWK Set (RFC 7517 §5: {\"keys\": [...]}) as application/json at jwks_uri");
            return List.of();
        }
        JsonNode keys = json.get().get("keys");
        if (keys == null || !keys.isArray()) {
            report.fail("jwks", "the document at " + url + " has no \"keys\" array, so it is not a JWK Set (RFC 7517 §5)",
                    "serve {\"keys\": [ ...public JWKs... ]}");
            return List.of();
        }
        if (keys.isEmpty()) {
            report.fail("jwks", "the JWK Set at " + url + " has no keys: no token from this server can be verified",
                    "publish the public part of every key the server signs with");
            return List.of();
        }
        report.ok("jwks", "fetched " + keys.size() + " key" + (keys.size() == 1 ? "" : "s") + " from " + url);
        return new KeyChecks(keyFindings ? report : Report.silent()).check(keys);
    }

    /** Every advertised ID token algorithm must be verifiable with some published key. */
    void checkAdvertisedAlgorithms(Discovered d, List<JWK> keys) {
        List<String> algs = d.list("id_token_signing_alg_values_supported");
        if (algs == null) return;
        List<String> unverifiable = new ArrayList<>();
        for (String name : algs) {
            if ("none".equals(name)) {
                report.warn("algorithms", "id_token_signing_alg_values_supported offers \"none\": unsigned ID tokens",
                        "remove \"none\" unless a client really needs unsigned ID tokens (only the implicit flow can use them)");
                continue;
            }
            JWSAlgorithm alg = JWSAlgorithm.parse(name);
            if (JwsAlgorithms.isHmac(alg) || !JwsAlgorithms.isSupported(alg)) continue;
            boolean any = keys.stream().anyMatch(k -> JwsAlgorithms.fits(k, alg) && (k.getAlgorithm() == null || k.getAlgorithm().getName().equals(name)));
            if (!any) unverifiable.add(name);
        }
        List<String> verifiable = algs.stream().filter(a -> !"none".equals(a) && !unverifiable.contains(a)).toList();
        if (!unverifiable.isEmpty() && verifiable.stream().noneMatch(a -> !JwsAlgorithms.isHmac(JWSAlgorithm.parse(a)))) {
            report.warn("algorithms", "ID tokens may be signed with " + String.join(", ", unverifiable)
                            + " (advertised) but no published key can verify " + (unverifiable.size() == 1 ? "it" : "any of them"),
                    "publish a key for each advertised algorithm, or stop advertising those");
        } else if (!verifiable.isEmpty()) {
            report.ok("algorithms", "published keys verify " + String.join(", ", verifiable)
                    + (unverifiable.isEmpty() ? "" : "; " + String.join(", ", unverifiable) + " are advertised without a key yet"
                            + " (fine for a server that creates a key when an algorithm is first used)"));
        }
    }

    // ---- the token endpoint and the client ---------------------------------------------------

    /** An unauthenticated request must get an RFC 6749 §5.2 JSON error, not a page or a 404. */
    void checkTokenEndpoint(Discovered d) {
        String tokenEndpoint = d.text("token_endpoint");
        URI url;
        try {
            url = tokenEndpoint == null ? null : new URI(tokenEndpoint);
        } catch (URISyntaxException e) {
            return;
        }
        if (url == null || !url.isAbsolute()) return;
        Response r;
        try {
            r = fetch.postForm(url, "grant_type=client_credentials");
        } catch (FetchException e) {
            report.fail("token endpoint", "cannot be reached: " + e.getMessage(),
                    "make the token endpoint reachable from clients (firewall, DNS, proxy routes)");
            return;
        }
        Optional<JsonNode> json = jsonObject(r);
        JsonNode error = json.map(j -> j.get("error")).orElse(null);
        if ((r.status() == 400 || r.status() == 401) && error != null && error.isTextual()) {
            report.ok("token endpoint", "answers a request without credentials with " + r.status() + " " + error.asText() + " (RFC 6749 §5.2)");
        } else {
            report.fail("token endpoint", url + " answered a request without credentials with " + describeAnswer(r)
                            + " instead of a 400/401 JSON error",
                    r.status() == 404 || r.status() == 405 ? "correct token_endpoint in the metadata, or route POST requests to it through the proxy"
                            : "make sure the URL reaches the authorization server's token endpoint, not a proxy or web page");
        }
    }

    static final Set<String> METHODS = Set.of("client_secret_basic", "client_secret_post", "client_secret_jwt", "private_key_jwt",
            "none", "tls_client_auth", "self_signed_tls_client_auth");

    /** What the client is configured for against what the provider supports. */
    void checkClient(Discovered d, String method, String alg, String grant) {
        if (method != null) {
            List<String> methods = d.list("token_endpoint_auth_methods_supported");
            if (methods == null) {
                methods = List.of("client_secret_basic");
                if (!method.equals("client_secret_basic")) {
                    report.warn("client auth", "the metadata does not list token_endpoint_auth_methods_supported, which then means"
                            + " client_secret_basic only (RFC 8414 §2); your client uses " + method,
                            "ask the provider whether " + method + " is supported, or use client_secret_basic");
                }
            } else if (methods.contains(method)) {
                report.ok("client auth", method + " is supported (" + String.join(", ", methods) + ")");
            } else {
                report.fail("client auth", "your client uses " + method + " but the provider supports only " + String.join(", ", methods),
                        "configure the client for one of " + String.join(", ", methods) + ", or enable " + method + " at the provider");
            }
        }
        if (alg != null) {
            JWSAlgorithm a = JWSAlgorithm.parse(alg);
            boolean hmac = JwsAlgorithms.isHmac(a);
            if (method != null && method.equals("private_key_jwt") && hmac) {
                report.fail("client auth", "private_key_jwt is signed with a private key, but " + alg + " is an HMAC algorithm",
                        "use an asymmetric algorithm (RS256, PS256, ES256…) with private_key_jwt, or client_secret_jwt with " + alg);
            } else if (method != null && method.equals("client_secret_jwt") && !hmac) {
                report.fail("client auth", "client_secret_jwt is an HMAC over the client secret, but " + alg + " is a signature algorithm",
                        "use HS256, HS384 or HS512 with client_secret_jwt, or private_key_jwt with " + alg);
            }
            List<String> algs = d.list("token_endpoint_auth_signing_alg_values_supported");
            if (algs == null) {
                report.warn("client auth", "the metadata does not list token_endpoint_auth_signing_alg_values_supported, so whether it"
                        + " accepts " + alg + " assertions is unknown", "ask the provider which algorithms it accepts for client assertions");
            } else if (algs.contains(alg)) {
                report.ok("client auth", "client assertions signed with " + alg + " are accepted");
            } else {
                report.fail("client auth", "your client signs assertions with " + alg + " but the provider accepts only " + String.join(", ", algs),
                        "sign with one of " + String.join(", ", algs) + " (a new key may be needed)");
            }
        }
        if (grant != null) {
            List<String> grants = d.list("grant_types_supported");
            List<String> effective = grants == null ? List.of("authorization_code", "implicit") : grants;
            if (effective.contains(grant)) {
                report.ok("grant", grant + " is supported");
            } else {
                report.fail("grant", "the provider does not offer " + grant + " (grant_types_supported: " + String.join(", ", effective)
                        + (grants == null ? ", the RFC 8414 default" : "") + ")", "enable " + grant + " at the provider or use a grant it offers");
            }
            if (grant.equals("authorization_code")) {
                List<String> pkce = d.list("code_challenge_methods_supported");
                if (pkce == null || !pkce.contains("S256")) {
                    report.warn("grant", "the metadata does not list S256 in code_challenge_methods_supported",
                            "make sure the provider supports PKCE with S256 (RFC 7636); without it, codes can be stolen and used");
                }
            }
        }
    }
}
