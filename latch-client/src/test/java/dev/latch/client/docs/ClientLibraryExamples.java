package dev.latch.client.docs;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWK;
import dev.latch.client.OAuthClientException;
import dev.latch.client.auth.ClientAssertion;
import dev.latch.client.auth.ClientAuthentication;
import dev.latch.client.auth.ProviderPresets;
import dev.latch.client.discovery.Discovery;
import dev.latch.client.discovery.ProviderMetadata;
import dev.latch.client.http.BearerHttpClient;
import dev.latch.client.keys.GoogleServiceAccountKey;
import dev.latch.client.keys.KeyLoader;
import dev.latch.client.oidc.CodeExchange;
import dev.latch.client.oidc.IdTokenValidator;
import dev.latch.client.token.AccessToken;
import dev.latch.client.token.CachingTokenSource;
import dev.latch.client.token.ReauthenticationRequiredException;
import dev.latch.client.token.TokenClient;
import dev.latch.client.token.TokenEndpoint;
import dev.latch.client.token.TokenEndpointUnavailableException;
import dev.latch.client.token.TokenErrorException;
import dev.latch.client.token.TokenRequest;
import dev.latch.client.token.TokenSource;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;

/**
 * The Java of {@code docs/client-library.md}, compiled with the tests; {@link DocExamplesTest} checks the
 * page shows exactly the code between the markers and runs the examples that take their endpoints as
 * parameters against a real Latch server or a local endpoint.
 */
final class ClientLibraryExamples {

    private ClientLibraryExamples() {}

    /** Quick start: run by the test against Latch (issuer) and a local API (patients). */
    static void quickStart(URI issuer, String secret, URI patients) throws IOException, InterruptedException {
        // guide:start
        // client credentials with a secret; the token endpoint is found by discovery of the issuer
        CachingTokenSource tokens = CachingTokenSource.builder()
                .issuer(issuer)
                .authentication(ClientAuthentication.clientSecretBasic("nightly-export", secret))
                .scope("system/Patient.rs")
                .build();
        BearerHttpClient api = BearerHttpClient.builder().tokenSource(tokens).build();
        HttpResponse<String> response = api.send(HttpRequest.newBuilder(patients).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        // guide:end
        tokens.close();
    }

    static ProviderMetadata discovery() {
        // guide:start
        Discovery discovery = Discovery.create();   // 10 s to connect, 30 s per request, cached for an hour
        ProviderMetadata metadata = discovery.discover("https://login.example.org/realms/main");
        URI tokenUrl = metadata.tokenEndpoint();
        List<String> methods = metadata.tokenEndpointAuthMethodsOrDefault();
        // guide:end
        return metadata;
    }

    static AccessToken tokenSourceOptions(URI tokenUrl, ClientAuthentication auth) {
        // guide:start
        CachingTokenSource tokens = CachingTokenSource.builder()
                .tokenEndpoint(tokenUrl)                      // or .issuer(…) to discover it
                .authentication(auth)
                .scope("orders.read", "orders.write")
                .refreshMargin(Duration.ofSeconds(60))        // renew up to 60 s (at most 10 % of the lifetime) early
                .clockSkew(Duration.ofSeconds(10))            // never hand out a token in its last 10 s
                .backoff(Duration.ofMillis(500), Duration.ofSeconds(30))
                .maxAttempts(4)
                .build();
        AccessToken token = tokens.token();                   // cached; renewed in the background
        AccessToken other = tokens.token(TokenRequest.clientCredentials("reports.read")); // cached separately
        tokens.close();                                       // stops the background renewal
        // guide:end
        return token;
    }

    static CodeExchange.SignIn signIn(URI issuer, String secret, String code, URI redirectUri, String codeVerifier, String nonce) {
        // guide:start
        ProviderMetadata metadata = Discovery.create().discover(issuer);
        ClientAuthentication web = ClientAuthentication.clientSecretBasic("web", secret);
        CodeExchange exchange = new CodeExchange(TokenClient.create(), TokenEndpoint.of(metadata), web,
                IdTokenValidator.of(metadata, "web"));
        CodeExchange.SignIn signIn = exchange.exchange(code, redirectUri, codeVerifier, nonce);
        String subject = signIn.idToken().getSubject();     // validated: signature, iss, aud, exp, nonce, at_hash

        // the user's access token, renewed with the (rotating) refresh token
        CachingTokenSource userTokens = CachingTokenSource.builder()
                .issuer(issuer).authentication(web)
                .refreshOnly().initialToken(signIn.tokens())
                .build();
        // guide:end
        userTokens.close();
        return signIn;
    }

    static void grants(TokenEndpoint endpoint, ClientAuthentication auth, String userAccessToken, String refreshToken,
                       String code, URI redirectUri, String codeVerifier, String assertionFromElsewhere) {
        // guide:start
        TokenClient client = TokenClient.create();   // one request, no cache
        AccessToken cc = client.request(endpoint, auth, TokenRequest.clientCredentials("orders.read"));
        AccessToken refreshed = client.request(endpoint, auth, TokenRequest.refreshToken(refreshToken));
        AccessToken signIn = client.request(endpoint, auth, TokenRequest.authorizationCode(code, redirectUri, codeVerifier));
        AccessToken bearer = client.request(endpoint, TokenRequest.jwtBearer(assertionFromElsewhere, "orders.read"));
        AccessToken exchanged = client.request(endpoint, auth,
                TokenRequest.tokenExchange(userAccessToken, TokenRequest.TokenExchange.ACCESS_TOKEN)
                        .audience("https://orders.example.org").scope("orders.read").build());
        // guide:end
    }

    static List<ClientAuthentication> authentications(String secret, JWK key) {
        // guide:start
        ClientAuthentication basic = ClientAuthentication.clientSecretBasic("reports", secret);
        ClientAuthentication post = ClientAuthentication.clientSecretPost("reports", secret);
        ClientAuthentication secretJwt = ClientAuthentication.clientSecretJwt(
                ClientAssertion.builder("reports").secret(secret, JWSAlgorithm.HS256).build());
        ClientAuthentication privateKeyJwt = ClientAuthentication.privateKeyJwt(
                ClientAssertion.builder("reports").key(key, JWSAlgorithm.ES256).build());
        ClientAuthentication publicClient = ClientAuthentication.none("reports-cli");
        // guide:end
        return List.of(basic, post, secretJwt, privateKeyJwt, publicClient);
    }

    /** Run by the test with a key that carries a certificate. */
    static ClientAssertion assertionOptions(JWK key) {
        // guide:start
        ClientAssertion assertion = ClientAssertion.builder("orders-service")
                .key(key, JWSAlgorithm.PS256)
                .keyId("orders-2025")                                 // kid (default: the key's own; null: none)
                .x5t(true)                                            // SHA-1 certificate thumbprint
                .x5tS256(true)                                        // SHA-256 certificate thumbprint
                .type("JWT")                                          // typ (default: none)
                .jwkSetUrl(URI.create("https://orders.example.org/jwks.json")) // jku
                .audience(ClientAssertion.Audience.TOKEN_ENDPOINT)    // default ISSUER
                .lifetime(Duration.ofMinutes(2))                      // default 60 s, at most 5 min
                .build();
        // guide:end
        return assertion;
    }

    static CachingTokenSource epic(String clientId, URI tokenUrl) {
        // guide:start
        JWK key = KeyLoader.load("${file:/etc/latch/epic.jwk.json}", null);   // carries its kid
        CachingTokenSource epicTokens = CachingTokenSource.builder()
                .tokenEndpoint(tokenUrl)   // e.g. https://fhir.epic.com/interconnect-fhir-oauth/oauth2/token
                .authentication(ClientAuthentication.privateKeyJwt(
                        ProviderPresets.epicBackendServices(clientId, key, JWSAlgorithm.RS384).build()))
                .build();                  // no scope: Epic grants what the app registration selects
        // guide:end
        return epicTokens;
    }

    static CachingTokenSource entra(String tenant, String clientId) {
        // guide:start
        JWK key = KeyLoader.load("${file:/etc/latch/entra.pem}", null);    // private key, then its certificate
        CachingTokenSource graphTokens = CachingTokenSource.builder()
                .tokenEndpoint(ProviderPresets.entraIdTokenEndpoint(tenant))
                .authentication(ClientAuthentication.privateKeyJwt(
                        ProviderPresets.entraIdCertificate(clientId, key).build()))
                .scope("https://graph.microsoft.com/.default")
                .build();
        // guide:end
        return graphTokens;
    }

    /** Run by the test with a service-account file whose token_uri is a local endpoint. */
    static String google(String serviceAccountFile) {
        // guide:start
        GoogleServiceAccountKey account = KeyLoader.system().loadGoogleServiceAccount(serviceAccountFile);
        ClientAssertion grant = ProviderPresets.googleServiceAccount(account,
                List.of("https://mail.google.com/"), "reports@example.com").build();   // sub: the mailbox
        CachingTokenSource gmailTokens = CachingTokenSource.builder()
                .tokenEndpoint(account.tokenUri())
                .request(TokenRequest.jwtBearer(grant))    // the signed assertion is the only credential
                .build();
        String xoauth2 = gmailTokens.accessToken();        // the XOAUTH2 credential of reports@example.com
        // guide:end
        gmailTokens.close();
        return xoauth2;
    }

    static void keys(char[] password) {
        // guide:start
        JWK pem = KeyLoader.load("/etc/latch/client.key.pem", null);          // PKCS#1, PKCS#8 or SEC1
        JWK encrypted = KeyLoader.load("/etc/latch/client.enc.pem", password); // encrypted PKCS#8
        JWK p12 = KeyLoader.load("${file:/etc/latch/client.p12}", password);   // PKCS#12 or JKS: key + chain
        JWK jwk = KeyLoader.load("/etc/latch/client.jwk.json", null);         // a JWK, or a JWKS of one key
        JWK fromEnv = KeyLoader.load("${env:CLIENT_KEY}", null);              // PEM, JWK or base64 PKCS#12
        List<X509Certificate> chain = KeyLoader.system().loadCertificates("/etc/latch/client.crt.pem");
        JWK withCertificate = KeyLoader.withCertificates(pem, chain);         // x5c, for x5t / x5t#S256
        // guide:end
    }

    static CachingTokenSource quirks(URI tokenUrl, ClientAuthentication auth) {
        // guide:start
        CachingTokenSource tokens = CachingTokenSource.builder()
                .tokenEndpoint(tokenUrl)
                .authentication(auth)
                .scope("orders:read", "orders:write")
                .openidScope(true)                          // scope=openid orders:read orders:write
                .resource("https://orders.example.org/")   // RFC 8707 resource=…
                .audience("https://orders.example.org")    // audience=… (Auth0)
                .scopeSeparator(",")                        // scope=openid,orders:read,orders:write
                .build();
        // guide:end
        return tokens;
    }

    static void errors(TokenSource tokens) {
        // guide:start
        try {
            String accessToken = tokens.accessToken();
        } catch (ReauthenticationRequiredException e) {
            // the refresh token is expired, revoked or reused: the user must sign in again
        } catch (TokenErrorException e) {
            // the server refused: e.error() is the RFC code (invalid_client, invalid_scope, …), e.status() the HTTP status
        } catch (TokenEndpointUnavailableException e) {
            // 5xx, 429 or network failure after the retries; e.retryAfter() may say when to try again
        } catch (OAuthClientException e) {
            // anything else (discovery, unreadable key, non-JSON answer, TLS failure): e.getMessage() says what
        }
        // guide:end
    }
}
