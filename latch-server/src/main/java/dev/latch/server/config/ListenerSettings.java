package dev.latch.server.config;

import static dev.latch.server.config.ConfigNodes.list;
import static dev.latch.server.config.ConfigNodes.path;
import static dev.latch.server.config.ConfigNodes.section;
import static dev.latch.server.config.ConfigNodes.text;
import static dev.latch.server.config.ConfigNodes.wholeNumber;

import com.fasterxml.jackson.databind.JsonNode;
import dev.latch.server.config.ConfigLoader.ConfigException;
import dev.latch.server.http.ClientAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Set;

/**
 * Binds where the server listens and what it calls itself: {@code port}, {@code management}, {@code tls}, {@code issuer},
 * and whose {@code X-Forwarded-For} it believes: {@code trusted-proxies}.
 */
final class ListenerSettings {

    private ListenerSettings() {}

    /** {@code port}: 8080 when unset. */
    static int port(JsonNode root) {
        int port = wholeNumber(root, "port", "port", 8080);
        if (port < 0 || port > 65535) throw new ConfigException("port: must be 0-65535 (was " + port + ")");
        return port;
    }

    /** {@code management}: loopback, {@code port} + 1000 when unset (0 when {@code port} is 0). */
    static ServerConfig.Management management(JsonNode root, int port) {
        JsonNode mgmt = section(root, "management", Set.of("host", "port"));
        return new ServerConfig.Management(text(mgmt, "host", "127.0.0.1"),
                wholeNumber(mgmt, "management.port", "port", port == 0 ? 0 : port + 1000));
    }

    /** {@code trusted-proxies}: addresses and networks whose {@code X-Forwarded-For} names the client; none when unset. */
    static List<String> trustedProxies(JsonNode root) {
        List<String> proxies = list(root, "trusted-proxies", List.of());
        try {
            ClientAddress.trusting(proxies);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("trusted-proxies: " + e.getMessage());
        }
        return proxies;
    }

    /** {@code tls}: a certificate and its key, both or neither. */
    static ServerConfig.Tls tls(JsonNode root) {
        JsonNode tls = section(root, "tls", Set.of("cert", "key"));
        ServerConfig.Tls settings = new ServerConfig.Tls(path(tls, "cert"), path(tls, "key"));
        if ((settings.cert() == null) != (settings.key() == null)) {
            throw new ConfigException("tls: --tls-cert and --tls-key go together");
        }
        return settings;
    }

    /** {@code issuer}: {@code http(s)://localhost:PORT} when unset, by whether TLS is on. */
    static String issuer(JsonNode root, int port, ServerConfig.Tls tls) {
        String issuer = text(root, "issuer");
        return checkIssuer(issuer != null ? issuer : (tls.enabled() ? "https" : "http") + "://localhost:" + port);
    }

    /** RFC 8414 §2: https (http only for localhost), no query, no fragment, no trailing slash. */
    static String checkIssuer(String issuer) {
        URI uri;
        try {
            uri = new URI(issuer);
        } catch (URISyntaxException e) {
            throw new ConfigException("issuer: not a URL: " + issuer);
        }
        if (uri.getScheme() == null || uri.getHost() == null || !(uri.getScheme().equals("https") || uri.getScheme().equals("http"))) {
            throw new ConfigException("issuer: must be an absolute http(s) URL (was " + issuer + ")");
        }
        if (uri.getQuery() != null || uri.getFragment() != null) {
            throw new ConfigException("issuer: must have no query or fragment (RFC 8414 §2)");
        }
        String host = uri.getHost();
        boolean loopback = host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]");
        if (uri.getScheme().equals("http") && !loopback) {
            throw new ConfigException("issuer: must use https (RFC 8414 §2); http is accepted only for localhost (was " + issuer + ")");
        }
        return issuer.endsWith("/") ? issuer.substring(0, issuer.length() - 1) : issuer;
    }
}
