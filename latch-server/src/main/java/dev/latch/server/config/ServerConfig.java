package dev.latch.server.config;

import dev.latch.server.resource.TokenProfile;
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
 * @param branding     the look of the sign-in pages
 * @param sessions     lifetimes of single sign-on sessions
 * @param claims       claim mappings: user attributes and roles into ID token, userinfo and access token claims
 * @param passwords    how human passwords are hashed and what they must be
 * @param users        users declared in configuration (applied at start-up)
 * @param resources    access-token profiles of resources (RFC 8707 indicators) declared in configuration (applied at start-up)
 * @param smart        SMART on FHIR: the FHIR servers apps use; {@link Smart#NONE} when not configured
 * @param trustedProxies addresses and networks of load balancers whose {@code X-Forwarded-For} names the client
 */
public record ServerConfig(String issuer, int port, Path data, DatabaseSettings database, Management management,
                           Tls tls, String crypto, String masterKey, Tokens tokens, Registration registration,
                           Outbound outbound, List<ScopeSetting> scopes, List<Map<String, Object>> clients,
                           Branding branding, Sessions sessions, List<ClaimMapping> claims, Passwords passwords,
                           List<UserSetting> users, List<ResourceSetting> resources, Smart smart, List<String> trustedProxies) {

    /**
     * @param purgeInterval how often expired rows are purged (by one node of the cluster); default 60 s
     * @param timeouts      how long the database may keep a request waiting (default 5 s for a pooled connection, 10 s socket)
     */
    public record DatabaseSettings(String url, String user, String password, int poolSize, java.time.Duration purgeInterval,
                                   dev.latch.server.storage.Database.Timeouts timeouts) {}

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
     * @param idTokenLifetime        lifetime of ID tokens (OIDC Core §2 {@code exp}); default 1 h
     * @param refreshTokenIdleLifetime     a refresh token unused this long expires (a client may set its own); default 30 d
     * @param refreshTokenAbsoluteLifetime no refresh token outlives its first issue by more (a client may set its own); default 90 d
     * @param defaultProfile         JWT access-token profile of audiences without one of their own; default {@code rfc9068} ({@code typ: at+jwt})
     */
    public record Tokens(Duration accessTokenLifetime, Duration maxAccessTokenLifetime, String defaultAudience,
                         String signingAlg, Duration jwksMaxAge, Duration idTokenLifetime, Duration refreshTokenIdleLifetime,
                         Duration refreshTokenAbsoluteLifetime, TokenProfile defaultProfile) {}

    /**
     * A resource declared in configuration ({@code resources:}).
     *
     * @param uri          its RFC 8707 resource indicator, as clients send it in {@code resource} and tokens carry it in {@code aud}
     * @param tokenProfile the form of JWT access tokens meant for it
     */
    public record ResourceSetting(String uri, TokenProfile tokenProfile) {}

    /**
     * One claim mapping: {@code claim} is filled from {@code source} ({@code roles}, {@code username},
     * {@code subject}... or the name of a standard claim the user has) into the tokens listed in
     * {@code in}, when {@code scope} (if given) was granted.
     *
     * @param in any of {@code id_token}, {@code userinfo}, {@code access_token}
     */
    public record ClaimMapping(String claim, String source, List<String> in, String scope) {}

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

    /**
     * The look of the login, consent, logout and error pages.
     *
     * @param productName  shown in titles and headings; default {@code Latch}
     * @param logoUrl      an https (or same-site path) image URL, or null for none
     * @param primaryColor buttons and links, {@code #rgb} or {@code #rrggbb}; default {@code #1d4ed8}
     */
    public record Branding(String productName, String logoUrl, String primaryColor) {}

    /**
     * Single sign-on sessions (the {@code latch_session} cookie).
     *
     * @param idleLifetime     a session unused this long ends; default 30 minutes
     * @param absoluteLifetime a session ends this long after sign-in whatever its use; default 10 hours
     */
    public record Sessions(Duration idleLifetime, Duration absoluteLifetime) {}

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
     * @param fhirUser     {@code fhir-user}: the SMART fhirUser reference ({@code Practitioner/123}), checked when applied; or null
     */
    public record UserSetting(String username, Map<String, Object> claims, List<String> roles, boolean enabled,
                              String password, String passwordHash, String fhirUser) {
        @Override
        public String toString() {
            return "UserSetting[" + username + "]";
        }
    }

    public String dbUrlOrEmbedded() {
        return database.url() != null ? database.url() : dev.latch.server.storage.Database.embeddedUrl(data);
    }

    /**
     * SMART on FHIR settings ({@code smart:}).
     *
     * @param launchLifetime how long an EHR launch value may be used ({@code smart.launch-lifetime})
     */
    public record Smart(List<FhirServer> fhirServers, java.time.Duration launchLifetime) {
        public static final java.time.Duration DEFAULT_LAUNCH_LIFETIME = java.time.Duration.ofMinutes(5);
        public static final Smart NONE = new Smart(List.of());

        public Smart {
            fhirServers = List.copyOf(fhirServers);
            java.util.Objects.requireNonNull(launchLifetime, "launchLifetime");
        }

        public Smart(List<FhirServer> fhirServers) {
            this(fhirServers, DEFAULT_LAUNCH_LIFETIME);
        }

        public boolean enabled() {
            return !fhirServers.isEmpty();
        }

        /** The FHIR server whose base is {@code aud} (trailing slashes ignored), if any. */
        public java.util.Optional<FhirServer> byBase(String aud) {
            if (aud == null) return java.util.Optional.empty();
            String a = withoutTrailingSlashes(aud);
            for (FhirServer f : fhirServers) {
                if (f.base().equals(a)) return java.util.Optional.of(f);
            }
            return java.util.Optional.empty();
        }

        /**
         * {@code url} without its trailing slashes, as FHIR bases are compared. One copy, so a request's 64 KiB
         * of slashes costs linear time (trimming a slash at a time was quadratic).
         */
        public static String withoutTrailingSlashes(String url) {
            int end = url.length();
            while (end > 0 && url.charAt(end - 1) == '/') end--;
            return url.substring(0, end);
        }
    }

    /**
     * A FHIR server of {@code smart.fhir-servers}.
     *
     * @param base     the FHIR base apps see (the {@code aud} they send, the {@code iss} of a launch), without trailing slash
     * @param upstream where Latch itself reads from it (patient picker, launch simulator); the base when not set
     */
    public record FhirServer(String base, String upstream) {}
}
