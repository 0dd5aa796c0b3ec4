package dev.latch.server.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The whole configuration of a Latch node, immutable, bound from YAML ({@code --config}) plus
 * environment variables plus command-line options (later wins). Defaults are the secure ones and are
 * declared here; see docs/configuration.md for every setting.
 *
 * @param issuer       the issuer identifier (RFC 8414 §2); default {@code http://localhost:PORT}
 * @param port         public HTTP(S) port; default 8080
 * @param data         data directory (embedded database, generated master key); default {@code ./latch-data}
 * @param database     JDBC URL and credentials; default the embedded H2 database in {@code data}
 * @param management   the /healthz and /metrics listener; default loopback, port + 1000
 * @param tls          PEM certificate and key to serve HTTPS directly
 * @param crypto       {@code auto} (default), {@code native} or {@code jdk}
 * @param masterKey    base64 256-bit key encrypting secrets at rest ({@code LATCH_MASTER_KEY})
 * @param tokens       token lifetimes, default audience, signing algorithm
 * @param registration dynamic client registration policy
 * @param outbound     policy for fetching client {@code jwks_uri}s
 * @param scopes       the scope catalogue
 * @param clients      clients declared in configuration (applied at start-up)
 * @param passwords    how human passwords are hashed and what they must be
 * @param users        users declared in configuration (applied at start-up)
 */
public record ServerConfig(String issuer, int port, Path data, DatabaseSettings database, Management management,
                           Tls tls, String crypto, String masterKey, Tokens tokens, Registration registration,
                           Outbound outbound, List<ScopeSetting> scopes, List<Map<String, Object>> clients,
                           Passwords passwords, List<UserSetting> users) {

    public record DatabaseSettings(String url, String user, String password, int poolSize) {}

    public record Management(String host, int port) {}

    public record Tls(Path cert, Path key) {
        public boolean enabled() {
            return cert != null && key != null;
        }
    }

    /**
     * @param accessTokenLifetime    default access token lifetime (a client may set its own)
     * @param maxAccessTokenLifetime cap on any client's lifetime; also how long a retired key stays published
     * @param defaultAudience        {@code aud} of tokens requested without {@code resource}; default the issuer
     * @param signingAlg             default algorithm of access tokens
     * @param jwksMaxAge             JWKS {@code Cache-Control: max-age}; a new key waits this long before signing
     */
    public record Tokens(Duration accessTokenLifetime, Duration maxAccessTokenLifetime, String defaultAudience,
                         String signingAlg, Duration jwksMaxAge) {}

    /**
     * @param initialAccessToken registration is open only to holders of this token ({@code LATCH_REGISTRATION_TOKEN}); unset closes it
     * @param allowedScopes      scopes a registered client may ask for; empty means the whole catalogue
     * @param allowedGrantTypes  grant types a registered client may ask for
     */
    public record Registration(String initialAccessToken, List<String> allowedScopes, List<String> allowedGrantTypes) {
        public boolean open() {
            return initialAccessToken != null && !initialAccessToken.isEmpty();
        }
    }

    /**
     * @param allow    hosts or CIDRs that may be fetched although private or loopback, over http too ({@code LATCH_OUTBOUND_ALLOW})
     * @param timeout  connect and read timeout
     * @param maxBytes largest document read
     */
    public record Outbound(List<String> allow, Duration timeout, int maxBytes) {}

    public record ScopeSetting(String name, String description) {}

    /**
     * @param argon2id  Argon2id cost; default OWASP's minimum (19456 KiB, 2 iterations, parallelism 1)
     * @param minLength shortest password accepted when one is set (NIST SP 800-63B: 8)
     */
    public record Passwords(Argon2id argon2id, int minLength) {}

    /** Argon2id parameters (RFC 9106 §3.1): memory in KiB, passes over it, lanes. */
    public record Argon2id(int memoryKib, int iterations, int parallelism) {}

    /**
     * A user declared in configuration.
     *
     * @param claims       OIDC standard claims given (email, name, …), checked when applied
     * @param password     the password, resolved from {@code ${env:…}}/{@code ${file:…}}; or null
     * @param passwordHash an Argon2id PHC string made elsewhere; or null (at most one of the two)
     */
    public record UserSetting(String username, Map<String, Object> claims, List<String> roles, boolean enabled,
                              String password, String passwordHash) {
        @Override
        public String toString() {
            return "UserSetting[" + username + "]";
        }
    }

    public String dbUrlOrEmbedded() {
        return database.url() != null ? database.url() : dev.latch.server.storage.Database.embeddedUrl(data);
    }
}
