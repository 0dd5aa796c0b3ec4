package dev.latch.cli.token;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import dev.latch.cli.Main;
import dev.latch.cli.context.CommandContext;
import dev.latch.cli.fetch.Fetch;
import dev.latch.cli.options.DurationConverter;
import dev.latch.cli.options.SecretOptions;
import dev.latch.client.auth.ClientAssertion;
import dev.latch.client.auth.ClientAuthentication;
import dev.latch.client.auth.ProviderPresets;
import dev.latch.client.discovery.Discovery;
import dev.latch.client.discovery.ProviderMetadata;
import dev.latch.client.keys.KeyLoader;
import dev.latch.client.token.AccessToken;
import dev.latch.client.token.TokenClient;
import dev.latch.client.token.TokenEndpoint;
import dev.latch.client.token.TokenRequest;
import dev.latch.core.jose.JwsAlgorithms;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code latch token}: a token from any authorization server, through the client library
 * (discovery with exact issuer match, every client authentication method, fresh assertions).
 * Client credentials with a secret or a key; the authorization code flow with PKCE S256 through a
 * loopback redirect and the system browser (RFC 8252), checking {@code state} and the RFC 9207
 * {@code iss}, and the ID token; refresh.
 */
@Command(name = "token", mixinStandardHelpOptions = true,
        description = {"Get a token from an authorization server and print the token response (or, with -q, only the access token).",
                "Client credentials: --client-secret (client_secret_basic unless --auth says otherwise) or --key FILE --alg ALG "
                        + "(private_key_jwt). Authorization code (--grant authorization_code): opens the browser at the authorization "
                        + "endpoint (or prints the URL), receives the code on http://127.0.0.1:PORT/callback, checks state and iss, "
                        + "exchanges it with PKCE S256 and validates the ID token. Refresh: --grant refresh_token --refresh-token T.",
                "Secret options (--client-secret, --key-password, --refresh-token) take $${env:NAME}, $${file:PATH} or - (standard input)."},
        footer = {"", "Examples:",
                "  latch token --issuer URL --client-id svc --client-secret '$${env:SECRET}' -q",
                "  latch token --issuer URL --client-id ID --key epic.pem --preset epic",
                "  latch token --issuer URL --client-id app --auth none --grant authorization_code",
                "", "Exit codes: 0 a token was printed, 1 the request failed (one line: the RFC error code and description), 2 usage error."})
public final class TokenCommand implements Callable<Integer> {

    static final List<String> METHODS = List.of("client_secret_basic", "client_secret_post", "client_secret_jwt", "private_key_jwt", "none");
    static final List<String> GRANTS = List.of("client_credentials", "authorization_code", "refresh_token");

    @Spec
    CommandSpec spec;

    @Option(names = "--issuer", required = true, paramLabel = "URL", description = "The issuer; its metadata must name exactly this issuer.")
    String issuer;

    @Option(names = "--client-id", required = true, paramLabel = "ID", description = "The client identifier.")
    String clientId;

    @Option(names = "--client-secret", paramLabel = "SECRET", description = "The client secret: $${env:NAME}, $${file:PATH} or - (standard input).")
    String clientSecret;

    @Option(names = "--key", paramLabel = "FILE", description = "The client's private key: PEM (PKCS#1, PKCS#8, encrypted, SEC1), PKCS#12, JKS or JWK; "
            + "a path, $${file:PATH} or $${env:NAME}.")
    String key;

    @Option(names = "--alg", paramLabel = "ALG", description = "Assertion algorithm: RS256…PS512, ES256/384/512, Ed25519/EdDSA with --key; "
            + "HS256/384/512 with --auth client_secret_jwt (default HS256 there).")
    String alg;

    @Option(names = "--key-password", paramLabel = "SECRET", description = "Password of an encrypted key file: $${env:NAME}, $${file:PATH} or -.")
    String keyPassword;

    @Option(names = "--auth", paramLabel = "METHOD", description = "Client authentication: client_secret_basic (default with a secret), "
            + "client_secret_post, client_secret_jwt, private_key_jwt (default with a key), none (a public client).")
    String auth;

    @Option(names = "--kid", paramLabel = "KID", description = "kid of the assertion header (default: the key's own kid).")
    String kid;

    @Option(names = "--x5t-s256", description = "Put the certificate's SHA-256 thumbprint (x5t#S256) in the assertion header; the key file must hold the certificate.")
    boolean x5tS256;

    @Option(names = "--aud-token-endpoint", description = "Assertion aud = the token endpoint URL instead of the issuer (for providers that demand it).")
    boolean audTokenEndpoint;

    @Option(names = "--preset", paramLabel = "PROVIDER", description = "Assertion rules of a provider: epic (RS384/ES384, aud = token URL), "
            + "entra (PS256, x5t#S256, aud = token URL).")
    String preset;

    @Option(names = "--scope", paramLabel = "SCOPE", description = "Space-separated scope values (authorization code default: openid).")
    String scope;

    @Option(names = "--resource", paramLabel = "URI", description = "RFC 8707 resource indicator; repeatable.")
    List<String> resources = new ArrayList<>();

    @Option(names = "--audience", paramLabel = "AUD", description = "audience parameter (Auth0 and servers like it; Latch takes --resource); repeatable.")
    List<String> audiences = new ArrayList<>();

    @Option(names = "--grant", paramLabel = "GRANT", defaultValue = "client_credentials",
            description = "client_credentials (default), authorization_code or refresh_token.")
    String grant;

    @Option(names = "--refresh-token", paramLabel = "TOKEN", description = "The refresh token for --grant refresh_token: $${env:NAME}, $${file:PATH} or -.")
    String refreshToken;

    @Option(names = "--redirect-port", paramLabel = "PORT", description = "Port of the loopback redirect http://127.0.0.1:PORT/callback (default: any free port).")
    Integer redirectPort;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "5m", converter = DurationConverter.class,
            description = "How long to wait for the sign-in in the browser (default ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(names = "--http-timeout", paramLabel = "DURATION", defaultValue = "30s", converter = DurationConverter.class,
            description = "Time limit of each HTTP request (discovery, token, JWKS) and of connecting (default ${DEFAULT-VALUE}).")
    Duration httpTimeout;

    @Option(names = {"-q", "--quiet"}, description = "Print only the access token.")
    boolean quiet;

    private Browser browser = Browser.system();

    /** Where the authorization URL is opened (tests play the person at the browser). */
    public void browser(Browser browser) {
        this.browser = browser;
    }

    @Override
    public Integer call() {
        checkUsage();
        URI issuerUri = issuerUri();
        String secret = SecretOptions.resolve(spec, "--client-secret", clientSecret);
        String password = SecretOptions.resolve(spec, "--key-password", keyPassword);
        String refresh = SecretOptions.resolve(spec, "--refresh-token", refreshToken);

        // the key first: a missing or unreadable key file is found without a network round trip
        JWK privateKey = key == null ? null
                : new KeyLoader(CommandContext.secrets(spec)).loadPrivateKey(key, password == null ? null : password.toCharArray());
        ClientAuthentication authentication = authentication(secret, privateKey);

        HttpClient http = HttpClient.newBuilder().connectTimeout(httpTimeout).followRedirects(HttpClient.Redirect.NEVER).build();
        ProviderMetadata metadata = new Discovery(http, CommandContext.clock(spec), Duration.ofMinutes(1), httpTimeout).discover(issuerUri);
        TokenClient client = TokenClient.builder().httpClient(http).requestTimeout(httpTimeout).clock(CommandContext.clock(spec)).build();
        if (metadata.tokenEndpoint() == null) {
            throw new IllegalStateException("the metadata of " + issuer + " names no token_endpoint");
        }
        TokenEndpoint endpoint = TokenEndpoint.of(metadata);

        AccessToken token = switch (grant) {
            case "refresh_token" -> client.request(endpoint, authentication, TokenRequest.refreshToken(refresh, scopes()));
            case "authorization_code" -> new CodeFlow(spec, browser, CommandContext.clock(spec), timeout, http)
                    .run(metadata, client, endpoint, authentication, scopes().length == 0 ? new String[] {"openid"} : scopes(),
                            resources, redirectPort == null ? 0 : redirectPort);
            default -> {
                TokenRequest.ClientCredentials request = TokenRequest.clientCredentials(scopes());
                for (String r : resources) request = request.withResource(r);
                for (String a : audiences) request = request.withAudience(a);
                yield client.request(endpoint, authentication, request);
            }
        };
        print(token);
        return 0;
    }

    private String[] scopes() {
        return scope == null || scope.isBlank() ? new String[0] : scope.strip().split("\\s+");
    }

    private void checkUsage() {
        if (!GRANTS.contains(grant)) {
            throw usage("--grant: unknown grant " + grant + " (one of " + String.join(", ", GRANTS) + ")");
        }
        if (auth != null && !METHODS.contains(auth)) {
            throw usage("--auth: unknown method " + auth + " (one of " + String.join(", ", METHODS) + ")");
        }
        if (preset != null && !List.of("epic", "entra").contains(preset)) {
            throw usage("--preset: unknown provider " + preset + " (epic or entra)");
        }
        if (clientSecret != null && key != null) {
            throw usage("give either --client-secret or --key, not both");
        }
        String method = method();
        switch (method) {
            case "client_secret_basic", "client_secret_post", "client_secret_jwt" -> {
                if (clientSecret == null) throw usage("--auth " + method + " needs --client-secret");
            }
            case "private_key_jwt" -> {
                if (key == null) throw usage("--auth private_key_jwt needs --key FILE and --alg ALG");
                if (alg == null && preset == null) throw usage("--key needs --alg ALG (e.g. RS256, ES256, PS256)");
            }
            case "none" -> {
                if (grant.equals("client_credentials")) throw usage("client_credentials needs client authentication: --client-secret or --key with --alg");
            }
            default -> throw new IllegalStateException(method);
        }
        boolean assertion = method.endsWith("_jwt");
        if (!assertion && (alg != null || kid != null || x5tS256 || audTokenEndpoint || preset != null)) {
            throw usage("--alg, --kid, --x5t-s256, --aud-token-endpoint and --preset apply to client assertions (client_secret_jwt, private_key_jwt)");
        }
        if (preset != null && !method.equals("private_key_jwt")) {
            throw usage("--preset " + preset + " signs with a private key: give --key");
        }
        if (alg != null) {
            if (!JwsAlgorithms.clientAssertionNames().contains(alg)) {
                throw usage("--alg: unsupported algorithm " + alg + " (one of " + String.join(", ", JwsAlgorithms.clientAssertionNames()) + ")");
            }
            boolean hmac = JwsAlgorithms.isHmac(JWSAlgorithm.parse(alg));
            if (method.equals("private_key_jwt") && hmac) throw usage("--alg " + alg + " is an HMAC: private_key_jwt signs with RS*, PS*, ES* or Ed25519");
            if (method.equals("client_secret_jwt") && !hmac) throw usage("--alg " + alg + " needs a key: client_secret_jwt signs with HS256, HS384 or HS512");
        }
        if (grant.equals("refresh_token") != (refreshToken != null)) {
            throw usage(refreshToken == null ? "--grant refresh_token needs --refresh-token" : "--refresh-token goes with --grant refresh_token");
        }
        if (redirectPort != null && (!grant.equals("authorization_code") || redirectPort < 0 || redirectPort > 65535)) {
            throw usage("--redirect-port is a port (0-65535) for --grant authorization_code");
        }
        if (!audiences.isEmpty() && !grant.equals("client_credentials")) {
            throw usage("--audience goes with --grant client_credentials");
        }
    }

    /** The client authentication method: --auth, else private_key_jwt with a key, client_secret_basic with a secret, none without either. */
    private String method() {
        if (auth != null) return auth;
        if (key != null) return "private_key_jwt";
        if (clientSecret != null) return "client_secret_basic";
        return "none";
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    private URI issuerUri() {
        URI uri = Fetch.httpUri(issuer);
        if (uri == null) {
            throw usage("--issuer must be an absolute https:// URL (http:// only for local servers), not '" + issuer + "'");
        }
        return uri;
    }

    private ClientAuthentication authentication(String secret, JWK privateKey) {
        String method = method();
        return switch (method) {
            case "client_secret_basic" -> ClientAuthentication.clientSecretBasic(clientId, secret);
            case "client_secret_post" -> ClientAuthentication.clientSecretPost(clientId, secret);
            case "client_secret_jwt" -> ClientAuthentication.clientSecretJwt(assertionOptions(ClientAssertion.builder(clientId)
                    .secret(secret, JWSAlgorithm.parse(alg == null ? "HS256" : alg))).build());
            case "private_key_jwt" -> ClientAuthentication.privateKeyJwt(assertionOptions(keyAssertion(privateKey)).build());
            default -> ClientAuthentication.none(clientId);
        };
    }

    private ClientAssertion.Builder keyAssertion(JWK privateKey) {
        if ("epic".equals(preset)) {
            JWSAlgorithm a = alg != null ? JWSAlgorithm.parse(alg) : privateKey instanceof ECKey ? JWSAlgorithm.ES384 : JWSAlgorithm.RS384;
            return ProviderPresets.epicBackendServices(clientId, privateKey, a);
        }
        if ("entra".equals(preset)) {
            if (alg != null && !alg.equals("PS256")) {
                throw usage("--preset entra signs with PS256, not " + alg);
            }
            return ProviderPresets.entraIdCertificate(clientId, privateKey);
        }
        JWSAlgorithm a = JWSAlgorithm.parse(alg);
        if (!JwsAlgorithms.fits(privateKey, a)) {
            throw new IllegalArgumentException(key + ": a " + privateKey.getKeyType() + " key cannot sign " + alg);
        }
        return ClientAssertion.builder(clientId).key(privateKey, a);
    }

    private ClientAssertion.Builder assertionOptions(ClientAssertion.Builder b) {
        b.clock(CommandContext.clock(spec));
        if (kid != null) b.keyId(kid);
        if (x5tS256) b.x5tS256(true);
        if (audTokenEndpoint) b.audience(ClientAssertion.Audience.TOKEN_ENDPOINT);
        return b;
    }

    private void print(AccessToken token) {
        PrintWriter out = spec.commandLine().getOut();
        if (quiet) {
            out.println(token.value());
        } else {
            out.println(json(token.parameters()));
        }
        out.flush();
    }

    private static final List<String> FIRST = List.of("access_token", "token_type", "expires_in", "scope", "refresh_token", "id_token");

    /** The token response, pretty, with the RFC 6749 §5.1 members first and the rest by name. */
    static String json(Map<String, Object> parameters) {
        Map<String, Object> ordered = new LinkedHashMap<>();
        for (String name : FIRST) {
            if (parameters.containsKey(name)) ordered.put(name, parameters.get(name));
        }
        new TreeMap<>(parameters).forEach(ordered::putIfAbsent);
        try {
            return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(ordered);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot print the token response: " + e.getOriginalMessage());
        }
    }
}
