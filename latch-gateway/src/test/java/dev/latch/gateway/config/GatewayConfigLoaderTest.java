package dev.latch.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jwt.SignedJWT;
import dev.latch.client.auth.ClientAssertion;
import dev.latch.client.auth.ClientAuthentication;
import dev.latch.core.jose.KeyFiles;
import dev.latch.core.jose.KeyGeneration;
import dev.latch.core.secret.SecretReference;
import dev.latch.gateway.config.GatewayConfig.Cors;
import dev.latch.gateway.config.GatewayConfig.ForwardAuth;
import dev.latch.gateway.config.GatewayConfig.IdentityHeaders;
import dev.latch.gateway.config.GatewayConfig.Mode;
import dev.latch.gateway.config.GatewayConfig.RateLimit;
import dev.latch.gateway.config.GatewayConfig.Route;
import dev.latch.gateway.config.GatewayConfig.Timeouts;
import dev.latch.gateway.config.GatewayConfig.Tls;
import dev.latch.gateway.config.GatewayConfig.Token;
import dev.latch.resource.AccessRule;
import dev.latch.resource.IssuerSettings;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class GatewayConfigLoaderTest {

    /** The smallest configuration: one passthrough route. */
    private static final String MINIMAL = """
            routes:
              - path: /
                upstream: http://127.0.0.1:9001
                mode: passthrough
            """;

    @TempDir
    Path dir;

    private final Map<String, String> env = new HashMap<>();
    private Path file;

    @BeforeEach
    void setUp() {
        file = dir.resolve("gateway.yaml");
    }

    private GatewayConfigLoader loader() {
        return new GatewayConfigLoader(env::get, new SecretReference(env::get, () -> InputStream.nullInputStream()));
    }

    private GatewayConfig load(String yaml) throws Exception {
        Files.writeString(file, yaml);
        return loader().load(file, Map.of());
    }

    private List<String> problems(String yaml) throws Exception {
        return problems(yaml, Map.of());
    }

    private List<String> problems(String yaml, Map<String, String> overrides) throws Exception {
        Files.writeString(file, yaml);
        GatewayConfigException e = catchThrowableOfType(GatewayConfigException.class, () -> loader().load(file, overrides));
        assertThat(e).as("a GatewayConfigException").isNotNull();
        assertThat(e.getMessage()).isEqualTo(String.join("\n", e.problems()));
        return e.problems();
    }

    /** {@code <file>:<line>: } as every problem from the file begins. */
    private String at(int line) {
        return file + ":" + line + ": ";
    }

    private static String protect(String issuerExtra, String routeExtra) {
        return """
                issuers:
                  - id: latch
                    issuer: http://localhost:8080
                    audience: api
                %sroutes:
                  - path: /api/
                    upstream: http://127.0.0.1:9001
                    mode: protect
                    issuer: latch
                %s""".formatted(issuerExtra, routeExtra);
    }

    private static String attach(String token) {
        return """
                routes:
                  - path: /out/
                    upstream: https://partner.example/
                    mode: attach
                    token:
                %s""".formatted(token);
    }

    /** An sso route (lines 1–9) with {@code extra} lines under its {@code sso} block from line 10. */
    private static String sso(String extra) {
        return """
                routes:
                  - path: /
                    upstream: http://127.0.0.1:9001
                    mode: sso
                    sso:
                      issuer: https://idp.example.org
                      client-id: web
                      client-secret: ${env:SSO_CLIENT_SECRET}
                      cookie-secret: ${env:SSO_COOKIE_SECRET}
                %s""".formatted(extra);
    }

    private static final String COOKIE_SECRET = "0123456789abcdef0123456789abcdef";

    private Path writeKey(JWK key, String name) throws Exception {
        Path keyFile = dir.resolve(name);
        Files.writeString(keyFile, KeyFiles.privateKeyPem(key, null));
        return keyFile;
    }

    // ------------------------------------------------------------------ the example and the defaults

    @Test
    void loadWhenFullExampleThenBindsEveryRecord() throws Exception {
        Path cert = Files.writeString(dir.resolve("chain.pem"), "certificate");
        Path key = Files.writeString(dir.resolve("key.pem"), "key");
        env.put("LATCH_GATEWAY_TLS_CERT", cert.toString());
        env.put("LATCH_GATEWAY_TLS_KEY", key.toString());
        env.put("GW_SECRET", "gw-secret");
        env.put("BILLING_JOB_SECRET", "bj-secret");
        env.put("EPIC_KEY", KeyFiles.privateKeyPem(KeyGeneration.rsa(2048), null));
        JWK entraKey = KeyGeneration.rsa(2048);
        JWK entraWithCert = KeyFiles.withCertificateChain(entraKey, List.of(KeyGeneration.selfSignedCertificate(entraKey,
                "CN=gateway", Instant.now().minusSeconds(60), Instant.now().plus(Duration.ofDays(1)))));
        env.put("ENTRA_P12", Base64.getEncoder().encodeToString(KeyFiles.pkcs12(entraWithCert, "entra", "p12-pass".toCharArray())));
        env.put("ENTRA_P12_PASSWORD", "p12-pass");
        env.put("PARTNER_KEY", KeyFiles.privateKeyPem(KeyGeneration.ec(Curve.P_256), null));
        Path example = Path.of(getClass().getResource("/gateway-example.yaml").toURI());

        GatewayConfig config = loader().load(example, Map.of());

        assertThat(config.port()).isEqualTo(8443);
        assertThat(config.host()).isEqualTo("0.0.0.0");
        assertThat(config.managementPort()).isEqualTo(9100);
        assertThat(config.tls()).isEqualTo(new Tls(cert, key));
        assertThat(config.accessLog()).isFalse();
        assertThat(config.shutdownGrace()).isEqualTo(Duration.ofSeconds(45));

        assertThat(config.issuers()).containsOnlyKeys("latch", "entra");
        assertThat(config.issuers().keySet()).containsExactly("latch", "entra");
        assertThat(config.issuers().get("latch").id()).isEqualTo("latch");
        assertThat(config.issuers().get("latch").settings()).isEqualTo(new IssuerSettings("http://localhost:8080",
                Set.of("https://api.example.org"), Set.of("RS256", "ES256"), IssuerSettings.TokenType.AT_JWT, Duration.ofSeconds(30),
                List.of("roles", "realm_access.roles"), List.of("scope"), "preferred_username", "email", List.of("client_id", "azp"),
                ClientAuthentication.clientSecretBasic("gateway", "gw-secret"), Duration.ofMinutes(2), Duration.ofMinutes(1),
                Duration.ofMinutes(10)));
        IssuerSettings entraDefaults = IssuerSettings.of("https://login.microsoftonline.com/contoso/v2.0", "api://billing");
        assertThat(config.issuers().get("entra").settings()).isEqualTo(new IssuerSettings(entraDefaults.issuer(),
                Set.of("api://billing", "https://billing.example.org"), entraDefaults.algorithms(), entraDefaults.type(),
                entraDefaults.clockSkew(), entraDefaults.roleClaims(), entraDefaults.scopeClaims(), entraDefaults.usernameClaim(),
                entraDefaults.emailClaim(), entraDefaults.clientIdClaims(), null, entraDefaults.introspectionCacheTtl(),
                entraDefaults.jwksRefetchInterval(), entraDefaults.jwksTtl()));

        assertThat(config.routes()).extracting(Route::path).containsExactly("/api/", "/reports/", "/billing/", "/epic/", "/graph/", "/partner/", "/fhir/", "/");

        Map<String, List<String>> tenant = Map.of("tenant", List.of("acme", "globex"));
        Route api = config.routes().get(0);
        assertThat(api).isEqualTo(new Route("/api/", "api.example.org", URI.create("http://127.0.0.1:9001"), Mode.PROTECT, "latch",
                Map.of("GET", new AccessRule(Set.of("api.read"), Set.of(), Set.of(), tenant),
                        "POST", new AccessRule(Set.of("api.write"), Set.of("api.write", "api.audit"), Set.of(), tenant),
                        "DELETE", new AccessRule(Set.of("api.write"), Set.of(), Set.of("admin"), tenant),
                        "*", new AccessRule(Set.of("api.write"), Set.of(), Set.of(), tenant)),
                true, new IdentityHeaders("X-User", "X-Email", "X-Preferred-Username", "X-Groups", "X-Client-Id", "X-Scope"), null,
                new Cors(List.of("https://app.example.org", "http://localhost:3000"), List.of("GET", "POST", "DELETE"),
                        List.of("Authorization", "Content-Type", "X-Request-Id"), List.of("X-Request-Id"), true, Duration.ofHours(1)),
                new RateLimit(50, 100), new Timeouts(Duration.ofSeconds(2), Duration.ofSeconds(30), Duration.ofMinutes(2)), 1024 * 1024));
        assertThat(api.rule("PUT")).isEqualTo(api.rule("*"));

        assertThat(config.routes().get(1)).isEqualTo(new Route("/reports/", null, URI.create("https://reports.internal:8443/v2/"),
                Mode.PROTECT, "entra", Map.of("*", AccessRule.anyScope("reports.read")), false, IdentityHeaders.DEFAULT, null, null,
                null, Timeouts.DEFAULT, 10 * 1024 * 1024));

        Route billing = config.routes().get(2);
        assertThat(billing.mode()).isEqualTo(Mode.ATTACH);
        assertThat(billing.issuer()).isNull();
        assertThat(billing.rules()).isEmpty();
        assertThat(billing.token()).isEqualTo(new Token(URI.create("http://localhost:8080"), null,
                ClientAuthentication.clientSecretPost("billing-job", "bj-secret"), List.of("api.read", "api.write"),
                "https://partner.example/", "https://partner.example/"));
        assertThat(billing.rateLimit()).isEqualTo(new RateLimit(2.5, 3));

        Route epic = config.routes().get(3);
        URI epicToken = URI.create("https://fhir.epic.com/interconnect-fhir-oauth/oauth2/token");
        assertThat(epic.token().issuer()).isNull();
        assertThat(epic.token().tokenEndpoint()).isEqualTo(epicToken);
        assertThat(epic.token().scopes()).containsExactly("system/Patient.read", "system/Observation.read");
        assertThat(epic.timeouts()).isEqualTo(new Timeouts(Duration.ofSeconds(5), Duration.ofSeconds(60), Duration.ofSeconds(60)));
        assertThat(epic.maxBodyBytes()).isEqualTo(-1);
        ClientAssertion epicAssertion = assertion(epic.token().authentication(), "epic-client");
        assertThat(epicAssertion.algorithm()).isEqualTo(JWSAlgorithm.RS384);
        assertThat(epicAssertion.audience()).isEqualTo(ClientAssertion.Audience.TOKEN_ENDPOINT);
        SignedJWT epicJwt = SignedJWT.parse(epicAssertion.sign(null, epicToken));
        assertThat(epicJwt.getHeader().getKeyID()).isEqualTo("key-1");
        assertThat(epicJwt.getJWTClaimsSet().getAudience()).containsExactly(epicToken.toString());

        Route graph = config.routes().get(4);
        URI graphToken = URI.create("https://login.microsoftonline.com/contoso/oauth2/v2.0/token");
        ClientAssertion graphAssertion = assertion(graph.token().authentication(), "11111111-2222-3333-4444-555555555555");
        JWSHeader graphHeader = SignedJWT.parse(graphAssertion.sign(null, graphToken)).getHeader();
        assertThat(graphHeader.getAlgorithm()).isEqualTo(JWSAlgorithm.PS256);
        assertThat(graphHeader.getX509CertSHA256Thumbprint()).isNotNull();
        assertThat(graph.token().scopes()).containsExactly("https://graph.microsoft.com/.default");

        ClientAssertion partner = assertion(config.routes().get(5).token().authentication(), "partner-client");
        assertThat(partner.algorithm()).isEqualTo(JWSAlgorithm.ES256);
        assertThat(partner.audience()).isEqualTo(ClientAssertion.Audience.ISSUER);

        Route fhir = config.routes().get(6);
        assertThat(fhir.mode()).isEqualTo(Mode.SMART);
        assertThat(fhir.issuer()).isEqualTo("latch");
        assertThat(fhir.smart()).isEqualTo(new GatewayConfig.Smart(true, Duration.ofSeconds(5), 16L * 1024 * 1024, Duration.ofMinutes(10)));

        assertThat(config.routes().get(7)).isEqualTo(new Route("/", "www.example.org", URI.create("http://127.0.0.1:9003"),
                Mode.PASSTHROUGH, null, Map.of(), false, IdentityHeaders.DEFAULT, null,
                new Cors(List.of("*"), List.of("GET", "HEAD", "POST"), List.of("Authorization", "Content-Type"), List.of(), false,
                        Duration.ofMinutes(10)),
                null, Timeouts.DEFAULT, 10 * 1024 * 1024));

        assertThat(config.forwardAuth()).isEqualTo(new ForwardAuth("/_latch/auth", "latch",
                Map.of("DELETE", new AccessRule(Set.of("api.read"), Set.of(), Set.of("admin"), Map.of()),
                        "*", AccessRule.anyScope("api.read")),
                new IdentityHeaders("X-Auth-User", "X-Forwarded-Email", "X-Forwarded-Preferred-Username", "X-Forwarded-Groups",
                        "X-Forwarded-Client-Id", "X-Forwarded-Scope")));
    }

    private static ClientAssertion assertion(ClientAuthentication authentication, String clientId) {
        assertThat(authentication).isInstanceOf(ClientAuthentication.PrivateKeyJwt.class);
        assertThat(authentication.clientId()).isEqualTo(clientId);
        return ((ClientAuthentication.PrivateKeyJwt) authentication).assertion();
    }

    @Test
    void loadWhenOnlyRequiredKeysThenDefaults() throws Exception {
        GatewayConfig config = load(protect("", "") + """
                forward-auth:
                  issuer: latch
                """);

        assertThat(config.port()).isEqualTo(8000);
        assertThat(config.host()).isEqualTo("0.0.0.0");
        assertThat(config.managementPort()).isEqualTo(9000);
        assertThat(config.tls()).isNull();
        assertThat(config.accessLog()).isTrue();
        assertThat(config.shutdownGrace()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.issuers().get("latch").settings()).isEqualTo(IssuerSettings.of("http://localhost:8080", "api"));
        assertThat(config.routes()).containsExactly(new Route("/api/", null, URI.create("http://127.0.0.1:9001"), Mode.PROTECT,
                "latch", Map.of(), false, IdentityHeaders.DEFAULT, null, null, null, Timeouts.DEFAULT, 10L * 1024 * 1024));
        assertThat(config.routes().get(0).rule("GET")).isEqualTo(AccessRule.NONE);
        assertThat(config.forwardAuth()).isEqualTo(new ForwardAuth("/_latch/auth", "latch", Map.of(), IdentityHeaders.DEFAULT));
    }

    @Test
    void loadWhenNoForwardAuthAndUnusedIssuerThenFine() throws Exception {
        GatewayConfig config = load(protect("""
                  - id: unused
                    issuer: https://idp.example.org
                    audience: api
                """, ""));

        assertThat(config.forwardAuth()).isNull();
        assertThat(config.issuers()).containsOnlyKeys("latch", "unused");
    }

    @Test
    void loadWhenDefaultsPartlyGivenThenTheRestAreDefault() throws Exception {
        GatewayConfig config = load(protect("", """
                    headers: { user: X-Who }
                    timeouts: { idle: 5m }
                    cors: { allowed-origins: [https://app.example.org:8443] }
                """));

        Route route = config.routes().get(0);
        assertThat(route.headers()).isEqualTo(new IdentityHeaders("X-Who", "X-Forwarded-Email", "X-Forwarded-Preferred-Username",
                "X-Forwarded-Groups", "X-Forwarded-Client-Id", "X-Forwarded-Scope"));
        assertThat(route.timeouts()).isEqualTo(new Timeouts(Duration.ofSeconds(5), Duration.ofMinutes(5), Duration.ofSeconds(300)));
        assertThat(route.cors()).isEqualTo(new Cors(List.of("https://app.example.org:8443"), List.of("GET", "HEAD", "POST"),
                List.of("Authorization", "Content-Type"), List.of(), false, Duration.ofMinutes(10)));
    }

    // ------------------------------------------------------------------ environment and flags

    @Test
    void loadWhenEnvironmentAndOverridesThenOverridesBeatEnvironmentBeatFile() throws Exception {
        env.put("LATCH_GATEWAY_PORT", "8001");
        env.put("LATCH_GATEWAY_HOST", "127.0.0.1");
        env.put("LATCH_GATEWAY_MANAGEMENT_PORT", "9001");
        Map<String, String> overrides = new LinkedHashMap<>();
        overrides.put("port", "8002");
        overrides.put("host", null); // ignored
        Files.writeString(file, "port: 7000\nhost: 10.0.0.1\nmanagement-port: 7001\n" + MINIMAL);

        GatewayConfig config = loader().load(file, overrides);

        assertThat(config.port()).isEqualTo(8002);
        assertThat(config.host()).isEqualTo("127.0.0.1");
        assertThat(config.managementPort()).isEqualTo(9001);
    }

    @Test
    void loadWhenTlsFromEnvironmentAndFlagsThenTheyReplaceTheFile() throws Exception {
        Path cert = Files.writeString(dir.resolve("cert.pem"), "c");
        Path key = Files.writeString(dir.resolve("key.pem"), "k");
        Path flagKey = Files.writeString(dir.resolve("flag-key.pem"), "k");
        env.put("LATCH_GATEWAY_TLS_CERT", cert.toString());
        env.put("LATCH_GATEWAY_TLS_KEY", key.toString());
        Files.writeString(file, MINIMAL);

        GatewayConfig config = loader().load(file, Map.of("tls.key", flagKey.toString()));

        assertThat(config.tls()).isEqualTo(new Tls(cert, flagKey));
    }

    @Test
    void loadWhenEnvironmentVariableEmptyThenIgnored() throws Exception {
        env.put("LATCH_GATEWAY_PORT", "");

        assertThat(load("port: 8100\n" + MINIMAL).port()).isEqualTo(8100);
    }

    @Test
    void loadWhenEnvironmentPortNotANumberThenProblemNamesTheVariable() throws Exception {
        env.put("LATCH_GATEWAY_PORT", "x");

        assertThat(problems(MINIMAL)).containsExactly("LATCH_GATEWAY_PORT: must be 0-65535 (was \"x\")");
    }

    @Test
    void loadWhenFlagsWrongThenProblemsNameTheFlags() throws Exception {
        assertThat(problems(MINIMAL, Map.of("management-port", "70000"))).containsExactly("--management-port: must be 0-65535 (was \"70000\")");
        assertThat(problems(MINIMAL, Map.of("tls.cert", dir.resolve("missing.pem").toString())))
                .containsExactly("--tls-cert: TLS needs both tls.cert and tls.key: tls.key is missing");
        assertThat(problems(MINIMAL, Map.of("tls.cert", "/nonexistent/c.pem", "tls.key", "/nonexistent/k.pem")))
                .containsExactlyInAnyOrder("--tls-cert: file /nonexistent/c.pem does not exist", "--tls-key: file /nonexistent/k.pem does not exist");
        assertThat(problems(MINIMAL, Map.of("ports", "1"))).singleElement().asString().startsWith("ports: no such flag setting (known: port,");
    }

    @Test
    void loadWhenNoFileThenOnlyTheEnvironmentAndARouteProblem() {
        env.put("LATCH_GATEWAY_PORT", "-1");

        GatewayConfigException e = catchThrowableOfType(GatewayConfigException.class, () -> loader().load(null, Map.of()));

        assertThat(e.problems()).containsExactly("LATCH_GATEWAY_PORT: must be 0-65535 (was \"-1\")",
                "routes: at least one route is required (or forward-auth) (no configuration file was given)");
    }

    @Test
    void environmentListsTheVariablesAndTheirSettings() {
        assertThat(GatewayConfigLoader.ENVIRONMENT).containsExactly(Map.entry("LATCH_GATEWAY_PORT", "port"),
                Map.entry("LATCH_GATEWAY_HOST", "host"), Map.entry("LATCH_GATEWAY_MANAGEMENT_PORT", "management-port"),
                Map.entry("LATCH_GATEWAY_TLS_CERT", "tls.cert"), Map.entry("LATCH_GATEWAY_TLS_KEY", "tls.key"));
    }

    // ------------------------------------------------------------------ problems: where, and all of them

    @Test
    void loadWhenUpstreamNotHttpThenProblemNamesLineAndKey() throws Exception {
        assertThat(problems("""
                routes:
                  - path: /a/
                    upstream: http://127.0.0.1:9001
                    mode: passthrough
                  - path: /b/
                    upstream: ftp://x
                    mode: passthrough
                """)).containsExactly(at(6) + "routes[1].upstream: must be an absolute http(s) URL (was \"ftp://x\")");
    }

    @Test
    void loadWhenUpstreamHasQueryOrUserThenRefused() throws Exception {
        assertThat(problems(MINIMAL.replace("http://127.0.0.1:9001", "http://u:p@127.0.0.1:9001/x?y=1")))
                .containsExactly(at(3) + "routes[0].upstream: must be scheme://host[:port][/path], without user, query or fragment"
                        + " (was \"http://u:p@127.0.0.1:9001/x?y=1\")");
    }

    @Test
    void loadWhenSeveralProblemsThenAllAreReportedInFileOrder() throws Exception {
        assertThat(problems("""
                port: 99999
                shutdown-grace: soon
                routes:
                  - path: api
                    upstream: http://127.0.0.1:9001
                    mode: protect
                    issuer: nobody
                    max-body: 10 parsecs
                  - upstream: 127.0.0.1
                    mode: passthrough
                """)).containsExactly(
                at(1) + "port: must be 0-65535 (was \"99999\")",
                at(2) + "shutdown-grace: must be a duration such as 500ms, 30s, 5m, 1h or 1d (was \"soon\")",
                at(4) + "routes[0].path: must be a path starting with \"/\", without query or fragment (was \"api\")",
                at(7) + "routes[0].issuer: no issuer has the id \"nobody\" (issuers declares none)",
                at(8) + "routes[0].max-body: must be a size such as 512KiB, 10MiB, 1GB, a number of bytes, or unlimited (was \"10 parsecs\")",
                at(9) + "routes[1].path: is required",
                at(9) + "routes[1].upstream: must be an absolute http(s) URL (was \"127.0.0.1\")");
    }

    @Test
    void loadWhenYamlSyntaxErrorThenOneProblemWithItsLine() throws Exception {
        assertThat(problems("""
                port: 8000
                routes:
                  - path: /
                   upstream: http://127.0.0.1:9001
                """)).singleElement().asString().startsWith(at(4) + "not valid YAML: ");
        assertThat(problems("routes: [\n  {path: /}\n")).singleElement().asString().startsWith(at(3) + "not valid YAML: ");
    }

    @Test
    void loadWhenFileMissingOrNotAMappingThenOneProblem() throws Exception {
        Path missing = dir.resolve("nope.yaml");
        assertThatThrownBy(() -> loader().load(missing, Map.of())).isInstanceOf(GatewayConfigException.class)
                .hasMessage(missing + ": does not exist");
        assertThat(problems("- a\n- b\n")).containsExactly(at(1) + "the configuration must be a mapping of keys (port, issuers, routes, …)");
        assertThat(problems("")).containsExactly(at(1) + "routes: at least one route is required (or forward-auth)");
        assertThat(problems("routes: []\n")).containsExactly(at(1) + "routes: at least one route is required (or forward-auth)");
    }

    @Test
    void loadWhenKeyGivenTwiceOrAliasUsedThenRefused() throws Exception {
        assertThat(problems("port: 1\nport: 2\n" + MINIMAL)).containsExactly(at(2) + "port: given twice (first on line 1)");
        assertThat(problems("""
                issuers:
                  - id: a
                    issuer: http://localhost:8080
                    audience: &aud api
                  - id: b
                    issuer: http://localhost:8081
                    audience: *aud
                """ + MINIMAL)).containsExactly(at(7) + "issuers[1].audience: aliases (*aud) are not supported: write the value out");
    }

    // ------------------------------------------------------------------ unknown keys

    @Test
    void loadWhenUnknownTopLevelKeyThenRefusedListingKnownKeys() throws Exception {
        assertThat(problems("prot: 8000\n" + MINIMAL)).containsExactly(at(1)
                + "prot: unknown key (known: access-log, forward-auth, host, issuers, management-port, port, routes, shutdown-grace, tls)");
    }

    @Test
    void loadWhenUnknownIssuerKeyThenRefused() throws Exception {
        assertThat(problems(protect("    audiences: [x]\n", ""))).containsExactly(at(5) + "issuers[0].audiences: unknown key (known: algorithms,"
                + " audience, client-id-claim, clock-skew, email-claim, id, introspection, issuer, jwks-refetch-interval, jwks-ttl,"
                + " roles-claim, scope-claim, typ, username-claim)");
    }

    @Test
    void loadWhenUnknownRouteKeyThenRefused() throws Exception {
        assertThat(problems(MINIMAL + "    upstreams: [http://a]\n")).singleElement().asString()
                .isEqualTo(at(5) + "routes[0].upstreams: unknown key (known: all-scopes, check-active, claims, cors, discovery-cache,"
                        + " forward-token, headers, host, introspection-cache, issuer, max-body, max-response, mode, path, rate-limit, roles,"
                        + " scopes, sso, timeouts, token, upstream)");
    }

    @Test
    void loadWhenUnknownTokenKeyThenRefused() throws Exception {
        env.put("S", "secret");
        assertThat(problems(attach("""
                      issuer: https://idp.example.org
                      client-id: c
                      client-secret: ${env:S}
                      scopes: [a]
                """))).containsExactly(at(9) + "routes[0].token.scopes: unknown key (known: alg, audience, auth-method, client-id,"
                + " client-secret, issuer, kid, preset, private-key, private-key-password, resource, scope, token-endpoint)");
    }

    @Test
    void loadWhenUnknownCorsKeyThenRefused() throws Exception {
        assertThat(problems(MINIMAL + """
                    cors:
                      allowed-origins: [https://a.example]
                      allow-origin: https://b.example
                """)).containsExactly(at(7) + "routes[0].cors.allow-origin: unknown key (known: allow-credentials, allowed-headers,"
                + " allowed-methods, allowed-origins, exposed-headers, max-age)");
    }

    @Test
    void loadWhenUnknownKeysInOtherSectionsThenRefused() throws Exception {
        assertThat(problems("tls: { cert: a, key: b, ca: c }\n" + MINIMAL + """
                    headers: { name: X-Name }
                    rate-limit: { rate: 1 }
                    timeouts: { read: 1s }
                forward-auth: { issuer: x, path: /auth, scope: [a] }
                """)).contains(
                at(1) + "tls.ca: unknown key (known: cert, key)",
                at(6) + "routes[0].headers: only for mode protect, smart or sso",
                at(7) + "routes[0].rate-limit.rate: unknown key (known: burst, per-second)",
                at(8) + "routes[0].timeouts.read: unknown key (known: connect, idle, total)",
                at(9) + "forward-auth.scope: unknown key (known: all-scopes, claims, headers, issuer, path, roles, scopes)");
    }

    // ------------------------------------------------------------------ secrets

    @Test
    void loadWhenLiteralSecretThenRefused() throws Exception {
        assertThat(problems(attach("""
                      issuer: https://idp.example.org
                      client-id: c
                      client-secret: hunter2
                """))).containsExactly(at(8) + "routes[0].token.client-secret: a secret is not written into the configuration:"
                + " use ${env:NAME} or ${file:PATH} (LATCH_ALLOW_LITERAL_SECRETS=true allows it)");
    }

    @Test
    void loadWhenLiteralSecretAndAllowedThenUsed() throws Exception {
        env.put("LATCH_ALLOW_LITERAL_SECRETS", "true");

        GatewayConfig config = load(attach("""
                      issuer: https://idp.example.org
                      client-id: c
                      client-secret: hunter2
                """));

        assertThat(config.routes().get(0).token().authentication()).isEqualTo(ClientAuthentication.clientSecretBasic("c", "hunter2"));
    }

    @Test
    void loadWhenLiteralIntrospectionSecretOrKeyPasswordThenRefused() throws Exception {
        assertThat(problems(protect("""
                    introspection: { client-id: gw, client-secret: s3cret }
                """, ""))).containsExactly(at(5) + "issuers[0].introspection.client-secret: a secret is not written into the"
                + " configuration: use ${env:NAME} or ${file:PATH} (LATCH_ALLOW_LITERAL_SECRETS=true allows it)");
        Path key = writeKey(KeyGeneration.ec(Curve.P_256), "k.pem");
        assertThat(problems(attach("""
                      issuer: https://idp.example.org
                      client-id: c
                      private-key: %s
                      private-key-password: pw
                      alg: ES256
                """.formatted(key)))).containsExactly(at(9) + "routes[0].token.private-key-password: a secret is not written into"
                + " the configuration: use ${env:NAME} or ${file:PATH} (LATCH_ALLOW_LITERAL_SECRETS=true allows it)");
    }

    @Test
    void loadWhenSecretVariableMissingOrEmptyThenProblemNamesKeyAndVariable() throws Exception {
        env.put("EMPTY", "");
        assertThat(problems(protect("""
                    introspection:
                      client-id: gw
                      client-secret: ${env:GW_SECRET}
                """, "") + """
                  - path: /out/
                    upstream: https://partner.example/
                    mode: attach
                    token:
                      issuer: https://idp.example.org
                      client-id: c
                      client-secret: ${env:EMPTY}
                """)).containsExactly(
                at(7) + "issuers[0].introspection.client-secret: environment variable GW_SECRET is not set",
                at(19) + "routes[1].token.client-secret: environment variable EMPTY is empty");
    }

    @Test
    void loadWhenSecretFromFileThenRead() throws Exception {
        Path secret = Files.writeString(dir.resolve("secret.txt"), "from-file\n");

        GatewayConfig config = load(attach("""
                      issuer: https://idp.example.org
                      client-id: c
                      client-secret: ${file:%s}
                """.formatted(secret)));

        assertThat(config.routes().get(0).token().authentication()).isEqualTo(ClientAuthentication.clientSecretBasic("c", "from-file"));
        assertThat(problems(attach("""
                      issuer: https://idp.example.org
                      client-id: c
                      client-secret: ${file:/nonexistent/secret}
                """))).containsExactly(at(8) + "routes[0].token.client-secret: file /nonexistent/secret does not exist");
    }

    @Test
    void loadWhenSecretIsStandardInputOrUnknownReferenceThenRefused() throws Exception {
        assertThat(problems(attach("""
                      issuer: https://idp.example.org
                      client-id: c
                      client-secret: "-"
                """))).containsExactly(at(8) + "routes[0].token.client-secret: standard input (-) is not read for the gateway's"
                + " configuration: use ${env:NAME} or ${file:PATH}");
        assertThat(problems(attach("""
                      issuer: https://idp.example.org
                      client-id: c
                      client-secret: ${vault:x}
                """))).singleElement().asString().startsWith(at(8) + "routes[0].token.client-secret: unknown reference ${vault:x}");
    }

    // ------------------------------------------------------------------ modes

    @Test
    void loadWhenSsoWithoutItsBlockThenSaysWhatItNeeds() throws Exception {
        assertThat(problems(MINIMAL.replace("passthrough", "sso"))).containsExactly(at(2)
                + "routes[0].sso: is required for mode sso (the provider, client and cookie secret)");
    }

    @Test
    void loadWhenModeMissingOrUnknownThenRefused() throws Exception {
        assertThat(problems(MINIMAL.replace("    mode: passthrough\n", ""))).containsExactly(at(2) + "routes[0].mode: is required");
        assertThat(problems(MINIMAL.replace("passthrough", "proxy")))
                .containsExactly(at(4) + "routes[0].mode: must be protect, attach, passthrough, smart or sso (was \"proxy\")");
    }

    @Test
    void loadWhenKeysOfAnotherModeThenRefused() throws Exception {
        env.put("S", "s");
        assertThat(problems(MINIMAL + """
                    issuer: latch
                    scopes: [a]
                    forward-token: true
                    token: { issuer: https://idp.example.org, client-id: c, client-secret: "${env:S}" }
                """)).containsExactly(
                at(5) + "routes[0].issuer: only for mode protect or smart",
                at(6) + "routes[0].scopes: only for mode protect or smart",
                at(7) + "routes[0].forward-token: only for mode protect or smart",
                at(8) + "routes[0].token: only for mode attach");
    }

    @Test
    void loadWhenSmartThenDefaultsAreStrict() throws Exception {
        env.put("S", "s");
        GatewayConfig config = load("""
                issuers:
                  - id: latch
                    issuer: http://localhost:8080
                    audience: http://localhost:8000/fhir
                    introspection: { client-id: gw, client-secret: "${env:S}" }
                routes:
                  - path: /fhir/
                    upstream: http://127.0.0.1:8081/fhir/
                    mode: smart
                    issuer: latch
                """);
        Route fhir = config.routes().getFirst();
        assertThat(fhir.mode()).isEqualTo(Mode.SMART);
        assertThat(fhir.smart()).isEqualTo(new GatewayConfig.Smart(true, Duration.ZERO, 8L * 1024 * 1024, Duration.ofMinutes(5)));
        assertThat(fhir.headers()).isEqualTo(IdentityHeaders.DEFAULT);
    }

    @Test
    void loadWhenSmartWithoutIntrospectionThenCheckActiveMustBeTurnedOff() throws Exception {
        String yaml = """
                issuers:
                  - id: latch
                    issuer: http://localhost:8080
                    audience: http://localhost:8000/fhir
                routes:
                  - path: /fhir/
                    upstream: http://127.0.0.1:8081/fhir/
                    mode: smart
                    issuer: latch
                """;
        assertThat(problems(yaml)).singleElement().asString().startsWith(at(8) + "routes[0].mode: mode smart checks that each token"
                + " is still active").contains("check-active: false");
        assertThat(load(yaml + "    check-active: false\n").routes().getFirst().smart().checkActive()).isFalse();
        assertThat(problems(yaml + "    check-active: maybe\n    introspection-cache: -1s\n    max-response: unlimited\n")).containsExactly(
                at(10) + "routes[0].check-active: must be true or false (was \"maybe\")",
                at(11) + "routes[0].introspection-cache: must be a duration such as 500ms, 30s, 5m, 1h or 1d (was \"-1s\")",
                at(12) + "routes[0].max-response: must be a size up to 2GiB (responses are read whole to be checked)");
        assertThat(problems(MINIMAL + "    introspection-cache: 1s\n")).containsExactly(at(5) + "routes[0].introspection-cache: only for mode smart");
    }

    @Test
    void loadWhenProtectWithoutIssuerOrAttachWithoutTokenThenRequired() throws Exception {
        assertThat(problems("""
                routes:
                  - path: /a/
                    upstream: http://127.0.0.1:9001
                    mode: protect
                  - path: /b/
                    upstream: http://127.0.0.1:9001
                    mode: attach
                """)).containsExactly(at(2) + "routes[0].issuer: is required",
                at(5) + "routes[1].token: is required for mode attach (how the gateway gets its token)");
    }

    @Test
    void loadWhenRouteNamesUnknownIssuerThenListsTheKnownOnes() throws Exception {
        assertThat(problems(protect("", "").replace("issuer: latch", "issuer: latsch")))
                .containsExactly(at(9) + "routes[0].issuer: no issuer has the id \"latsch\" (issuers: latch)");
    }

    // ------------------------------------------------------------------ issuers

    @Test
    void loadWhenIssuerHttpOnPublicHostThenRefusedByTheEndpointRule() throws Exception {
        assertThat(problems(protect("", "").replace("http://localhost:8080", "http://idp.example.org"))).singleElement().asString()
                .startsWith(at(3) + "issuers[0].issuer: is http on a host that is not loopback: https is required")
                .endsWith("(was \"http://idp.example.org\")");
    }

    @Test
    void loadWhenIssuerIncompleteOrIdBadThenEachProblem() throws Exception {
        assertThat(problems("""
                issuers:
                  - id: a b
                  - id: x
                    issuer: https://idp.example.org
                    audience: []
                  - id: x
                    issuer: https://idp2.example.org
                    audience: api
                """ + MINIMAL)).containsExactly(
                at(2) + "issuers[0].id: must be letters, digits, '.', '_' or '-' (was \"a b\")",
                at(2) + "issuers[0].issuer: is required",
                at(2) + "issuers[0].audience: is required",
                at(5) + "issuers[1].audience: must name at least one audience",
                at(6) + "issuers[2].id: the id \"x\" is taken by issuers[1]");
    }

    @Test
    void loadWhenAlgorithmsNoneOrHmacThenRefusedByName() throws Exception {
        assertThat(problems(protect("    algorithms: [RS256, none, HS256, XS1]\n", ""))).containsExactly(
                at(5) + "issuers[0].algorithms[1]: none is refused: tokens must be signed (use RS256, RS384, RS512, PS256, PS384,"
                        + " PS512, ES256, ES384, ES512, Ed25519, EdDSA)",
                at(5) + "issuers[0].algorithms[2]: HS256 is refused: it is an HMAC (shared secret) algorithm, and the gateway"
                        + " verifies tokens with the issuer's public keys (use RS*, PS*, ES* or EdDSA)",
                at(5) + "issuers[0].algorithms[3]: unsupported algorithm \"XS1\" (supported: RS256, RS384, RS512, PS256, PS384,"
                        + " PS512, ES256, ES384, ES512, Ed25519, EdDSA)");
    }

    @Test
    void loadWhenClaimsAndTypeAsStringsThenLists() throws Exception {
        GatewayConfig config = load(protect("""
                    roles-claim: groups
                    scope-claim: [scp]
                    client-id-claim: appid
                    typ: JWT
                """, ""));

        IssuerSettings settings = config.issuers().get("latch").settings();
        assertThat(settings.roleClaims()).containsExactly("groups");
        assertThat(settings.scopeClaims()).containsExactly("scp");
        assertThat(settings.clientIdClaims()).containsExactly("appid");
        assertThat(settings.type()).isEqualTo(IssuerSettings.TokenType.JWT);
        assertThat(problems(protect("    typ: jws\n    roles-claim: []\n", ""))).containsExactly(
                at(6) + "issuers[0].roles-claim: must name at least one claim",
                at(5) + "issuers[0].typ: must be at+jwt, JWT or any (was \"jws\")");
    }

    @Test
    void loadWhenClockSkewOutOfRangeThenRefused() throws Exception {
        assertThat(problems(protect("    clock-skew: 10m\n    jwks-ttl: 0s\n", ""))).containsExactly(
                at(5) + "issuers[0].clock-skew: must be at most 5m (was \"10m\")",
                at(6) + "issuers[0].jwks-ttl: must be more than 0 (was \"0s\")");
    }

    @Test
    void loadWhenIntrospectionWithPostAndKeyThenBuilt() throws Exception {
        env.put("GW", "gw-secret");
        Path key = writeKey(KeyGeneration.ec(Curve.P_384), "introspect.pem");
        GatewayConfig config = load(protect("""
                    introspection: { client-id: gw, client-secret: "${env:GW}", auth-method: client_secret_post, cache-ttl: 0s }
                  - id: other
                    issuer: https://idp.example.org
                    audience: api
                    introspection: { client-id: gw2, private-key: %s, alg: ES384, kid: k2 }
                """.formatted(key), ""));

        IssuerSettings latch = config.issuers().get("latch").settings();
        assertThat(latch.introspection()).isEqualTo(ClientAuthentication.clientSecretPost("gw", "gw-secret"));
        assertThat(latch.introspectionCacheTtl()).isZero();
        ClientAssertion assertion = assertion(config.issuers().get("other").settings().introspection(), "gw2");
        assertThat(assertion.algorithm()).isEqualTo(JWSAlgorithm.ES384);
        assertThat(assertion.audience()).isEqualTo(ClientAssertion.Audience.ISSUER);
        assertThat(SignedJWT.parse(assertion.sign(URI.create("https://idp.example.org"), URI.create("https://idp.example.org/introspect")))
                .getHeader().getKeyID()).isEqualTo("k2");
        assertThat(problems(protect("    introspection: { client-id: gw, client-secret: \"${env:GW}\", preset: epic }\n", "")))
                .contains(at(5) + "issuers[0].introspection.preset: unknown key (known: alg, auth-method, cache-ttl, client-id,"
                        + " client-secret, kid, private-key, private-key-password)");
    }

    // ------------------------------------------------------------------ client authentication of a token

    @Test
    void loadWhenSecretAndKeyBothOrNeitherThenRefused() throws Exception {
        env.put("S", "s");
        Path key = writeKey(KeyGeneration.ec(Curve.P_256), "k.pem");
        assertThat(problems(attach("""
                      issuer: https://idp.example.org
                      client-id: c
                      client-secret: ${env:S}
                      private-key: %s
                """.formatted(key)))).containsExactly(at(9) + "routes[0].token.private-key: give client-secret or private-key, not both");
        assertThat(problems(attach("""
                      issuer: https://idp.example.org
                      client-id: c
                """))).containsExactly(at(5) + "routes[0].token.client-secret: client-secret or private-key is required");
    }

    @Test
    void loadWhenTokenHasIssuerAndEndpointOrNeitherThenRefused() throws Exception {
        env.put("S", "s");
        assertThat(problems(attach("""
                      issuer: https://idp.example.org
                      token-endpoint: https://idp.example.org/token
                      client-id: c
                      client-secret: ${env:S}
                """))).containsExactly(at(7) + "routes[0].token.token-endpoint: give issuer (discovery) or token-endpoint, not both");
        assertThat(problems(attach("""
                      client-id: c
                      client-secret: ${env:S}
                """))).containsExactly(at(5) + "routes[0].token.issuer: issuer (found by discovery) or token-endpoint is required");
        assertThat(problems(attach("""
                      token-endpoint: http://idp.example.org/token
                      client-id: c
                      client-secret: ${env:S}
                """))).singleElement().asString().startsWith(at(6) + "routes[0].token.token-endpoint: is http on a host that is not loopback");
    }

    @Test
    void loadWhenKeyWithoutAlgOrWithHmacThenRefused() throws Exception {
        Path key = writeKey(KeyGeneration.ec(Curve.P_256), "k.pem");
        assertThat(problems(attach("""
                      issuer: https://idp.example.org
                      client-id: c
                      private-key: %s
                """.formatted(key)))).containsExactly(at(5)
                + "routes[0].token.alg: is required with private-key (e.g. RS256, ES256, PS256), unless a preset gives it");
        assertThat(problems(attach("""
                      issuer: https://idp.example.org
                      client-id: c
                      private-key: %s
                      alg: HS256
                """.formatted(key)))).containsExactly(at(9)
                + "routes[0].token.alg: HS256 is not for private_key_jwt: a private key signs with RS*, PS*, ES* or Ed25519");
        assertThat(problems(attach("""
                      issuer: https://idp.example.org
                      client-id: c
                      private-key: %s
                      alg: RS256
                """.formatted(key)))).containsExactly(at(9) + "routes[0].token.alg: a EC P-256 key cannot sign RS256");
    }

    @Test
    void loadWhenKeyFileMissingOrKeyInlineThenProblemNamesTheKey() throws Exception {
        assertThat(problems(attach("""
                      issuer: https://idp.example.org
                      client-id: c
                      private-key: /nonexistent/key.pem
                      alg: RS256
                """))).containsExactly(at(8) + "routes[0].token.private-key: key file /nonexistent/key.pem does not exist");
        assertThat(problems(attach("""
                      issuer: https://idp.example.org
                      client-id: c
                      private-key: ${env:NO_KEY}
                      alg: RS256
                """))).containsExactly(at(8) + "routes[0].token.private-key: key: environment variable NO_KEY is not set");
        assertThat(problems(attach("""
                      issuer: https://idp.example.org
                      client-id: c
                      private-key: |
                        -----BEGIN PRIVATE KEY-----
                        MIIB
                        -----END PRIVATE KEY-----
                      alg: RS256
                """))).containsExactly(at(8) + "routes[0].token.private-key: the key itself is not written into the configuration:"
                + " give a path, ${file:PATH} or ${env:NAME}");
    }

    @Test
    void loadWhenSecretWithKeyOnlyOptionsThenRefused() throws Exception {
        env.put("S", "s");
        assertThat(problems(attach("""
                      issuer: https://idp.example.org
                      client-id: c
                      client-secret: ${env:S}
                      alg: RS256
                      preset: epic
                      auth-method: private_key_jwt
                """))).containsExactly(
                at(9) + "routes[0].token.alg: only with private-key",
                at(10) + "routes[0].token.preset: only with private-key",
                at(11) + "routes[0].token.auth-method: private_key_jwt needs private-key (with client-secret: client_secret_basic"
                        + " or client_secret_post)");
        assertThat(problems(attach("""
                      issuer: https://idp.example.org
                      client-id: c
                      client-secret: ${env:S}
                      auth-method: client_secret_jwt
                """))).containsExactly(at(9) + "routes[0].token.auth-method: must be client_secret_basic, client_secret_post or"
                + " private_key_jwt (was \"client_secret_jwt\")");
    }

    @Test
    void loadWhenPresetRulesBrokenThenProblemsFromTheirChecks() throws Exception {
        Path ecKey = writeKey(KeyGeneration.ec(Curve.P_256), "ec.pem");
        Path rsaKey = writeKey(KeyGeneration.rsa(2048), "rsa.pem");
        String epic = """
                      token-endpoint: https://fhir.epic.com/oauth2/token
                      client-id: c
                      private-key: %s
                      preset: epic
                """;
        assertThat(problems(attach(epic.formatted(rsaKey) + "      alg: RS256\n"))).containsExactly(at(9)
                + "routes[0].token.preset: Epic backend services accept RS384 or ES384 only, not RS256");
        assertThat(problems(attach(epic.formatted(ecKey) + "      kid: k\n"))).containsExactly(at(9)
                + "routes[0].token.preset: a EC P-256 key cannot sign ES384");
        String entra = """
                      token-endpoint: https://login.microsoftonline.com/t/oauth2/v2.0/token
                      client-id: c
                      private-key: %s
                      preset: entra
                """;
        assertThat(problems(attach(entra.formatted(rsaKey)))).containsExactly(at(9)
                + "routes[0].token.preset: x5t/x5t#S256 need the key's certificate: give it or load a key file that has one");
        assertThat(problems(attach(entra.formatted(rsaKey) + "      alg: RS256\n"))).containsExactly(at(10)
                + "routes[0].token.alg: preset entra signs with PS256, not RS256");
        assertThat(problems(attach(entra.formatted(rsaKey).replace("entra", "google")))).containsExactly(at(9)
                + "routes[0].token.preset: must be epic or entra (was \"google\")");
    }

    @Test
    void loadWhenKeyWithoutPresetAndOnlyTokenEndpointThenAudienceIsTheTokenEndpoint() throws Exception {
        JWK key = KeyGeneration.ec(Curve.P_256);
        env.put("K", KeyFiles.privateKeyPem(key, null));

        GatewayConfig config = load(attach("""
                      token-endpoint: https://idp.example.org/token
                      client-id: c
                      private-key: ${env:K}
                      alg: ES256
                      auth-method: private_key_jwt
                      scope: [a, b]
                """));

        ClientAssertion assertion = assertion(config.routes().get(0).token().authentication(), "c");
        assertThat(assertion.audience()).isEqualTo(ClientAssertion.Audience.TOKEN_ENDPOINT);
        assertThat(config.routes().get(0).token().scopes()).containsExactly("a", "b");
    }

    @Test
    void loadWhenEncryptedKeyWithPasswordThenLoaded() throws Exception {
        Path key = dir.resolve("enc.pem");
        Files.writeString(key, KeyFiles.privateKeyPem(KeyGeneration.rsa(2048), "pw".toCharArray()));
        env.put("PW", "pw");
        String token = """
                      issuer: https://idp.example.org
                      client-id: c
                      private-key: ${file:%s}
                      private-key-password: ${env:PW}
                      alg: PS256
                """.formatted(key);

        assertThat(assertion(load(attach(token)).routes().get(0).token().authentication(), "c").algorithm()).isEqualTo(JWSAlgorithm.PS256);
        env.put("PW", "wrong");
        assertThat(problems(attach(token))).singleElement().asString().startsWith(at(8) + "routes[0].token.private-key: ");
    }

    // ------------------------------------------------------------------ routes

    @Test
    void loadWhenSameHostAndPathTwiceThenRefused() throws Exception {
        String route = """
                  - path: /a/
                    host: %s
                    upstream: http://127.0.0.1:9001
                    mode: passthrough
                """;
        assertThat(problems("routes:\n" + route.formatted("api.example.org") + route.formatted("API.example.org")))
                .containsExactly(at(6) + "routes[1].path: the same host and path as routes[0]");
        assertThat(load("routes:\n" + route.formatted("a.example.org") + route.formatted("b.example.org")
                + route.replace("    host: %s\n", "")).routes()).hasSize(3);
    }

    @Test
    void loadWhenRouteHostOrPathBadThenRefused() throws Exception {
        assertThat(problems(MINIMAL + "    host: api.example.org:8443\n")).containsExactly(at(5)
                + "routes[0].host: must be a host name without port or scheme (was \"api.example.org:8443\")");
        assertThat(problems(MINIMAL.replace("path: /", "path: /a?b"))).containsExactly(at(2)
                + "routes[0].path: must be a path starting with \"/\", without query or fragment (was \"/a?b\")");
    }

    @Test
    void loadWhenMethodKeysNotUpperCaseThenRefused() throws Exception {
        assertThat(problems(protect("", """
                    scopes: { get: [a], POST: [b], "*": [c] }
                    roles: { DELETE: admin, "PUT PATCH": [x] }
                """))).containsExactly(
                at(10) + "routes[0].scopes.get: must be an HTTP method in upper case (GET, POST, …) or \"*\" for the other methods",
                at(11) + "routes[0].roles.PUT PATCH: must be an HTTP method in upper case (GET, POST, …) or \"*\" for the other methods");
    }

    @Test
    void loadWhenScopesAsStringThenSpaceSeparated() throws Exception {
        GatewayConfig config = load(protect("", """
                    scopes: "a b"
                    roles: { GET: admin }
                    claims: { org.id: 42, tier: [gold, silver] }
                """));

        Map<String, List<String>> claims = Map.of("org.id", List.of("42"), "tier", List.of("gold", "silver"));
        assertThat(config.routes().get(0).rules()).isEqualTo(Map.of(
                "GET", new AccessRule(Set.of("a", "b"), Set.of(), Set.of("admin"), claims),
                "*", new AccessRule(Set.of("a", "b"), Set.of(), Set.of(), claims)));
        assertThat(problems(protect("", "    claims: { tier: [] }\n")))
                .containsExactly(at(10) + "routes[0].claims.tier: must list at least one accepted value");
    }

    @Test
    void loadWhenIdentityHeadersBadThenRefused() throws Exception {
        assertThat(problems(protect("", "    headers: { user: Authorization, email: \"X Email\", groups: X-Who, scope: x-who }\n")))
                .containsExactly(
                        at(10) + "routes[0].headers.user: Authorization is a header the gateway does not let an identity header replace",
                        at(10) + "routes[0].headers.email: must be a header name (was \"X Email\")",
                        at(10) + "routes[0].headers.scope: the header x-who is also headers.groups");
    }

    @Test
    void loadWhenCorsWildcardWithCredentialsThenRefused() throws Exception {
        assertThat(problems(MINIMAL + """
                    cors:
                      allowed-origins: ["*"]
                      allow-credentials: true
                      allowed-methods: [get]
                """)).containsExactly(
                at(6) + "routes[0].cors.allowed-origins[0]: \"*\" cannot go with allow-credentials: true (Fetch standard): list the origins",
                at(8) + "routes[0].cors.allowed-methods[0]: must be an HTTP method in upper case (was \"get\")");
        assertThat(problems(MINIMAL + "    cors: { allowed-origins: [https://a.example/app] }\n")).containsExactly(
                at(5) + "routes[0].cors.allowed-origins[0]: must be an origin, scheme://host[:port] without path (was \"https://a.example/app\")");
        assertThat(problems(MINIMAL + "    cors: { max-age: 1m }\n")).containsExactly(
                at(5) + "routes[0].cors.allowed-origins: is required (the exact origins, scheme://host[:port], or \"*\")");
    }

    @Test
    void loadWhenRateLimitWrongThenRefused() throws Exception {
        assertThat(problems(MINIMAL + "    rate-limit: { per-second: 0, burst: -1 }\n")).containsExactly(
                at(5) + "routes[0].rate-limit.per-second: must be a number more than 0 (was \"0\")",
                at(5) + "routes[0].rate-limit.burst: must be a whole number more than 0 (was \"-1\")");
        assertThat(problems(MINIMAL + "    rate-limit: { burst: 5 }\n")).containsExactly(at(5) + "routes[0].rate-limit.per-second: is required");
    }

    @Test
    void loadWhenPortsClashOrOutOfRangeThenRefused() throws Exception {
        assertThat(problems("port: 9000\n" + MINIMAL)).containsExactly(at(1)
                + "port: the management port must differ from the public port (both 9000)");
        assertThat(problems("port: 8080\nmanagement-port: 8080\n" + MINIMAL)).containsExactly(at(2)
                + "management-port: the management port must differ from the public port (both 8080)");
        assertThat(load("port: 0\nmanagement-port: 0\n" + MINIMAL).port()).isZero();
        assertThat(problems("port: 80.5\nmanagement-port: [1]\n" + MINIMAL)).containsExactly(at(1) + "port: must be 0-65535 (was \"80.5\")",
                at(2) + "management-port: must be a single value, not a list");
    }

    @Test
    void loadWhenTlsHalfGivenOrFileMissingThenRefused() throws Exception {
        Path cert = Files.writeString(dir.resolve("c.pem"), "c");
        assertThat(problems("tls: { cert: %s }\n".formatted(cert) + MINIMAL)).containsExactly(at(1)
                + "tls.cert: TLS needs both tls.cert and tls.key: tls.key is missing");
        assertThat(problems("tls:\n  cert: %s\n  key: %s\n".formatted(cert, dir.resolve("k.pem")) + MINIMAL)).containsExactly(at(3)
                + "tls.key: file " + dir.resolve("k.pem") + " does not exist");
    }

    @Test
    void loadWhenWrongShapesThenSaysWhatIsExpected() throws Exception {
        assertThat(problems("access-log: yes\nroutes: { path: / }\n")).containsExactly(
                at(1) + "access-log: must be true or false (was \"yes\")",
                at(2) + "routes: must be a list, not a mapping");
        assertThat(problems(MINIMAL + "    cors: [https://a.example]\n")).containsExactly(
                at(5) + "routes[0].cors: must be a mapping (key: value), not a list");
    }

    @Test
    void loadWhenForwardAuthWithoutIssuerThenRefused() throws Exception {
        assertThat(problems(MINIMAL + "forward-auth: { path: auth }\n")).containsExactly(
                at(5) + "forward-auth.path: must be a path starting with \"/\", without query or fragment (was \"auth\")",
                at(5) + "forward-auth.issuer: is required");
    }

    // ------------------------------------------------------------------ sso routes

    @Test
    void loadWhenMinimalSsoRouteThenDefaults() throws Exception {
        env.put("SSO_CLIENT_SECRET", "client-secret");
        env.put("SSO_COOKIE_SECRET", COOKIE_SECRET);

        Route route = load(sso("")).routes().getFirst();

        assertThat(route.mode()).isEqualTo(Mode.SSO);
        assertThat(route.issuer()).isNull();
        assertThat(route.headers()).isEqualTo(IdentityHeaders.DEFAULT);
        assertThat(route.sso()).isEqualTo(new GatewayConfig.Sso(URI.create("https://idp.example.org"),
                ClientAuthentication.clientSecretBasic("web", "client-secret"), List.of("openid", "profile", "email"),
                List.of(COOKIE_SECRET), "_latch_sso", null, "/oauth2/", null, List.of(), List.of(), Map.of(),
                IssuerSettings.DEFAULT_ROLE_CLAIMS, Duration.ofHours(12), Duration.ofSeconds(60), "/", false, false));
        assertThat(route.sso().clientId()).isEqualTo("web");
    }

    @Test
    void loadWhenEverySsoKeyGivenThenBound() throws Exception {
        env.put("SSO_CLIENT_SECRET", "client-secret");
        env.put("SSO_COOKIE_SECRET", COOKIE_SECRET);

        GatewayConfig.Sso sso = load(sso("""
                      auth-method: client_secret_post
                      scopes: openid groups
                      cookie-name: app-session
                      cookie-secure: true
                      prefix: /_auth/
                      redirect-uri: https://app.example.org/_auth/callback
                      allowed-roles: [admin, ops]
                      allowed-users: alice@example.org
                      allowed-claims: { tenant: [acme, umbrella] }
                      roles-claim: groups
                      session-lifetime: 8h
                      refresh-before: 2m
                      sign-out-redirect: https://www.example.org/bye
                      forward-access-token: true
                      forward-id-token: true
                """)).routes().getFirst().sso();

        assertThat(sso).isEqualTo(new GatewayConfig.Sso(URI.create("https://idp.example.org"),
                ClientAuthentication.clientSecretPost("web", "client-secret"), List.of("openid", "groups"), List.of(COOKIE_SECRET),
                "app-session", true, "/_auth/", URI.create("https://app.example.org/_auth/callback"), List.of("admin", "ops"),
                List.of("alice@example.org"), Map.of("tenant", List.of("acme", "umbrella")), List.of("groups"), Duration.ofHours(8),
                Duration.ofMinutes(2), "https://www.example.org/bye", true, true));
    }

    @Test
    void loadWhenCookieSecretMissingThenRequiredSayingWhatItIs() throws Exception {
        env.put("SSO_CLIENT_SECRET", "client-secret");
        assertThat(problems(sso("").replace("      cookie-secret: ${env:SSO_COOKIE_SECRET}\n", ""))).containsExactly(at(5)
                + "routes[0].sso.cookie-secret: is required (32 bytes or more; ${env:NAME} or ${file:PATH}; a list for rotation,"
                + " the first one seals new sessions)");
    }

    @Test
    void loadWhenCookieSecretShorterThan32BytesThenRefusedWithItsLength() throws Exception {
        env.put("SSO_CLIENT_SECRET", "client-secret");
        env.put("SSO_COOKIE_SECRET", COOKIE_SECRET.substring(1));
        assertThat(problems(sso(""))).containsExactly(at(9)
                + "routes[0].sso.cookie-secret: a cookie secret must be 32 bytes or more (was 31); e.g. openssl rand -base64 32");
        env.put("SSO_COOKIE_SECRET", "é".repeat(16)); // 16 characters, 32 bytes in UTF-8
        assertThat(load(sso("")).routes().getFirst().sso().cookieSecrets()).containsExactly("é".repeat(16));
    }

    @Test
    void loadWhenCookieSecretLiteralOrVariableUnsetThenRefused() throws Exception {
        env.put("SSO_CLIENT_SECRET", "client-secret");
        assertThat(problems(sso("").replace("${env:SSO_COOKIE_SECRET}", COOKIE_SECRET))).containsExactly(at(9)
                + "routes[0].sso.cookie-secret: a secret is not written into the configuration: use ${env:NAME} or ${file:PATH}"
                + " (LATCH_ALLOW_LITERAL_SECRETS=true allows it)");
        assertThat(problems(sso(""))).containsExactly(at(9) + "routes[0].sso.cookie-secret: environment variable SSO_COOKIE_SECRET is not set");
    }

    @Test
    void loadWhenTwoCookieSecretsThenTheFirstSealsAndBothOpen() throws Exception {
        env.put("SSO_CLIENT_SECRET", "client-secret");
        env.put("NEW_SECRET", "N".repeat(32));
        env.put("OLD_SECRET", "O".repeat(40));
        String yaml = sso("").replace("${env:SSO_COOKIE_SECRET}", "[\"${env:NEW_SECRET}\", \"${env:OLD_SECRET}\"]");

        assertThat(load(yaml).routes().getFirst().sso().cookieSecrets()).containsExactly("N".repeat(32), "O".repeat(40));
        env.put("OLD_SECRET", "short");
        assertThat(problems(yaml)).containsExactly(at(9)
                + "routes[0].sso.cookie-secret[1]: a cookie secret must be 32 bytes or more (was 5); e.g. openssl rand -base64 32");
    }

    @Test
    void loadWhenScopesWithoutOpenidThenRefused() throws Exception {
        env.put("SSO_CLIENT_SECRET", "client-secret");
        env.put("SSO_COOKIE_SECRET", COOKIE_SECRET);
        assertThat(problems(sso("      scopes: [profile, email]\n"))).containsExactly(at(10)
                + "routes[0].sso.scopes: must include openid (sign-in needs an ID token)");
        assertThat(load(sso("      scopes: openid\n")).routes().getFirst().sso().scopes()).containsExactly("openid");
    }

    @Test
    void loadWhenPrefixOrRedirectUriOrSignOutRedirectWrongThenRefused() throws Exception {
        env.put("SSO_CLIENT_SECRET", "client-secret");
        env.put("SSO_COOKIE_SECRET", COOKIE_SECRET);
        assertThat(problems(sso("      prefix: /auth\n"))).containsExactly(at(10) + "routes[0].sso.prefix: must end with \"/\" (was \"/auth\")");
        assertThat(problems(sso("      prefix: auth/\n"))).containsExactly(at(10)
                + "routes[0].sso.prefix: must be a path starting with \"/\", without query or fragment (was \"auth/\")");
        assertThat(problems(sso("      redirect-uri: https://app.example.org/callback\n"))).containsExactly(at(10)
                + "routes[0].sso.redirect-uri: must end in the callback path /oauth2/callback (was \"https://app.example.org/callback\")");
        assertThat(problems(sso("      prefix: /_auth/\n      redirect-uri: https://app.example.org/oauth2/callback\n"))).containsExactly(at(11)
                + "routes[0].sso.redirect-uri: must end in the callback path /_auth/callback (was \"https://app.example.org/oauth2/callback\")");
        assertThat(load(sso("      redirect-uri: https://app.example.org/oauth2/callback\n")).routes().getFirst().sso().redirectUri())
                .isEqualTo(URI.create("https://app.example.org/oauth2/callback"));
        for (String offSite : List.of("//evil.example", "/\\evil.example", "javascript:alert(1)", "evil.example", "ftp://evil.example/",
                "/signed out", "/a^b", "/a%zz", "https://www.example.org/a b")) {
            assertThat(problems(sso("      sign-out-redirect: '" + offSite + "'\n"))).as(offSite).containsExactly(at(10)
                    + "routes[0].sso.sign-out-redirect: must be a path on this site (\"/\") or an absolute http(s) URL (was \"" + offSite + "\")");
        }
        assertThat(load(sso("      sign-out-redirect: /signed-out?x=1\n")).routes().getFirst().sso().signOutRedirect())
                .isEqualTo("/signed-out?x=1");
    }

    @Test
    void loadWhenSsoBlockOnAProtectRouteThenOnlyForModeSso() throws Exception {
        assertThat(problems(protect("", """
                    sso: { issuer: https://idp.example.org, client-id: web }
                """))).containsExactly(at(10) + "routes[0].sso: only for mode sso");
        assertThat(problems(MINIMAL + "    sso: {}\n")).containsExactly(at(5) + "routes[0].sso: only for mode sso");
    }

    @Test
    void loadWhenTwoSsoRoutesShareHostAndPrefixThenRefused() throws Exception {
        env.put("S", "client-secret");
        env.put("C", COOKIE_SECRET);
        String route = """
                  - path: %s
                    upstream: http://127.0.0.1:9001
                    mode: sso
                    sso: { issuer: https://idp.example.org, client-id: web, client-secret: "${env:S}", cookie-secret: "${env:C}"%s }
                """;
        assertThat(problems("routes:\n" + route.formatted("/a/", "") + route.formatted("/b/", ""))).containsExactly(at(9)
                + "routes[1].sso: the sign-in paths /oauth2/ are already routes[0]'s on this host; give one route another sso.prefix");
        assertThat(load("routes:\n" + route.formatted("/a/", "") + route.formatted("/b/", ", prefix: /b/oauth2/")).routes()).hasSize(2);
        String hosted = route.replace("    mode: sso", "    host: %s\n    mode: sso");
        assertThat(load("routes:\n" + hosted.formatted("/a/", "a.example.org", "") + hosted.formatted("/b/", "b.example.org", ""))
                .routes()).hasSize(2);
        assertThat(problems("routes:\n" + hosted.formatted("/a/", "a.example.org", "") + hosted.formatted("/b/", "A.example.org", "")))
                .containsExactly(at(11) + "routes[1].sso: the sign-in paths /oauth2/ are already routes[0]'s on this host;"
                        + " give one route another sso.prefix");
    }

    @Test
    void loadWhenUnknownSsoKeyThenRefusedListingTheKnownOnes() throws Exception {
        env.put("SSO_CLIENT_SECRET", "client-secret");
        env.put("SSO_COOKIE_SECRET", COOKIE_SECRET);
        assertThat(problems(sso("      cookie-domain: example.org\n"))).containsExactly(at(10)
                + "routes[0].sso.cookie-domain: unknown key (known: alg, allowed-claims, allowed-roles, allowed-users, auth-method,"
                + " client-id, client-secret, cookie-name, cookie-secret, cookie-secure, forward-access-token, forward-id-token, issuer,"
                + " kid, prefix, preset, private-key, private-key-password, redirect-uri, refresh-before, roles-claim, scopes, session-lifetime,"
                + " sign-out-redirect)");
    }

    @Test
    void loadWhenHeadersOnAnSsoRouteThenAllowed() throws Exception {
        env.put("SSO_CLIENT_SECRET", "client-secret");
        env.put("SSO_COOKIE_SECRET", COOKIE_SECRET);
        String yaml = sso("").replace("    sso:\n", "    headers: { user: X-Remote-User, groups: X-Remote-Groups }\n    sso:\n");

        Route route = load(yaml).routes().getFirst();

        assertThat(route.headers().user()).isEqualTo("X-Remote-User");
        assertThat(route.headers().groups()).isEqualTo("X-Remote-Groups");
        assertThat(route.headers().email()).isEqualTo(IdentityHeaders.DEFAULT.email());
        assertThat(problems(yaml.replace("X-Remote-User", "Cookie"))).containsExactly(at(5)
                + "routes[0].headers.user: Cookie is a header the gateway does not let an identity header replace");
    }

    // ------------------------------------------------------------------ value syntax

    @ParameterizedTest
    @CsvSource({"500ms, PT0.5S", "30s, PT30S", "30, PT30S", "5m, PT5M", "1h, PT1H", "1d, PT24H", "0, PT0S"})
    void parseDurationWhenValidThenParsed(String text, Duration expected) {
        assertThat(GatewayConfigLoader.parseDuration(text)).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "s", "-1s", "1.5s", "1w", "PT1S", "1 m s"})
    void parseDurationWhenInvalidThenNull(String text) {
        assertThat(GatewayConfigLoader.parseDuration(text)).isNull();
    }

    @ParameterizedTest
    @CsvSource({"0, 0", "1024, 1024", "1KiB, 1024", "10MiB, 10485760", "2GiB, 2147483648", "1KB, 1000", "5MB, 5000000",
            "1GB, 1000000000", "12B, 12", "unlimited, -1"})
    void parseSizeWhenValidThenBytes(String text, long expected) {
        assertThat(GatewayConfigLoader.parseSize(text)).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "1kb", "1.5MiB", "-1", "99999999999GiB", "1 TiB"})
    void parseSizeWhenInvalidThenNull(String text) {
        assertThat(GatewayConfigLoader.parseSize(text)).isNull();
    }
}
