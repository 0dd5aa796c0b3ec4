package dev.latch.server.signin;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jwt.JWT;
import com.nimbusds.oauth2.sdk.AuthorizationCode;
import com.nimbusds.oauth2.sdk.AuthorizationCodeGrant;
import com.nimbusds.oauth2.sdk.AuthorizationGrant;
import com.nimbusds.oauth2.sdk.AuthorizationResponse;
import com.nimbusds.oauth2.sdk.OAuth2Error;
import com.nimbusds.oauth2.sdk.PushedAuthorizationRequest;
import com.nimbusds.oauth2.sdk.PushedAuthorizationResponse;
import com.nimbusds.oauth2.sdk.PushedAuthorizationSuccessResponse;
import com.nimbusds.oauth2.sdk.RefreshTokenGrant;
import com.nimbusds.oauth2.sdk.ResponseMode;
import com.nimbusds.oauth2.sdk.ResponseType;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.TokenErrorResponse;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.TokenResponse;
import com.nimbusds.oauth2.sdk.auth.ClientAuthentication;
import com.nimbusds.oauth2.sdk.auth.ClientSecretBasic;
import com.nimbusds.oauth2.sdk.auth.Secret;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.id.Issuer;
import com.nimbusds.oauth2.sdk.id.State;
import com.nimbusds.oauth2.sdk.pkce.CodeChallengeMethod;
import com.nimbusds.oauth2.sdk.pkce.CodeVerifier;
import com.nimbusds.oauth2.sdk.token.RefreshToken;
import com.nimbusds.oauth2.sdk.util.URLUtils;
import com.nimbusds.openid.connect.sdk.AuthenticationRequest;
import com.nimbusds.openid.connect.sdk.Nonce;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponse;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponseParser;
import com.nimbusds.openid.connect.sdk.Prompt;
import com.nimbusds.openid.connect.sdk.UserInfoRequest;
import com.nimbusds.openid.connect.sdk.UserInfoResponse;
import com.nimbusds.openid.connect.sdk.claims.IDTokenClaimsSet;
import com.nimbusds.openid.connect.sdk.claims.UserInfo;
import com.nimbusds.openid.connect.sdk.op.OIDCProviderMetadata;
import com.nimbusds.openid.connect.sdk.validators.AccessTokenValidator;
import com.nimbusds.openid.connect.sdk.validators.IDTokenValidator;
import dev.latch.server.TestServer;
import dev.latch.server.client.Client;
import dev.latch.server.signin.BrowserCallback.Received;
import dev.latch.server.user.UserProfile;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * The authorization code flow end to end (OIDC Core §3.1, RFC 7636, RFC 9126, OAuth 2.0 Form Post
 * Response Mode, RFC 9207): a user in the instance's own user store signs in through the real pages in
 * the shared Chromium, and the Nimbus OAuth 2.0 SDK plays the relying party — discovery, PKCE S256,
 * code exchange, ID token validation against the JWKS, userinfo and refresh-token rotation.
 */
class CodeFlowEndToEndTest {

    static final String USERNAME = "carol";
    static final String PASSWORD = "a long and real password";
    static final String SECRET = "rp-secret-for-end-to-end-0123456789-abcdef";

    static BrowserCallback callback;
    static TestServer server;
    static ChromeDriver browser;
    static OIDCProviderMetadata op;
    static URI redirect;
    static final ClientID WEB = new ClientID("rp-web");
    static final ClientID SPA = new ClientID("rp-spa");
    static final ClientID PAR_ONLY = new ClientID("rp-par");

    @BeforeAll
    static void start() throws Exception {
        SharedChromium.require();
        callback = new BrowserCallback();
        redirect = URI.create(callback.uri());
        server = TestServer.start(Map.of());
        server.instance().users().create(new UserProfile(USERNAME, Map.of("name", "Carol Example", "email", "carol@example.com",
                "email_verified", true), List.of(), true), PASSWORD.toCharArray());
        server.instance().scopes().put("profile", "See your name and profile");
        server.instance().scopes().put("email", "See your email address");
        List<String> code = List.of("authorization_code", "refresh_token");
        server.clients().create(new Client.Builder().clientId(WEB.getValue()).clientName("Web RP").scope("openid profile email offline_access")
                .grantTypes(code).redirectUris(List.of(redirect.toString())).build(), SECRET, true, null);
        server.clients().create(new Client.Builder().clientId(PAR_ONLY.getValue()).clientName("PAR RP").scope("openid profile")
                .grantTypes(code).redirectUris(List.of(redirect.toString())).requirePushedAuthorizationRequests(true).build(), SECRET, true, null);
        server.register(new Client.Builder().clientId(SPA.getValue()).clientName("Single Page RP").tokenEndpointAuthMethod(Client.NONE)
                .scope("openid profile offline_access").grantTypes(code).redirectUris(List.of(redirect.toString())).build());
        op = OIDCProviderMetadata.resolve(new Issuer(server.issuer()));
        browser = SharedChromium.driver();
    }

    @AfterAll
    static void stop() {
        if (callback != null) callback.close();
        if (server != null) server.close();
    }

    @BeforeEach
    void signedOut() {
        callback.clear();
        browser.get(server.url("/.well-known/openid-configuration"));
        browser.manage().deleteAllCookies();
    }

    /** One authorization request as the RP builds it, with its secrets kept for checking the response. */
    record Attempt(AuthenticationRequest request, CodeVerifier verifier, State state, Nonce nonce) {}

    static Attempt attempt(ClientID client, String scope, ResponseMode mode, Prompt.Type... prompt) {
        CodeVerifier verifier = new CodeVerifier();
        State state = new State();
        Nonce nonce = new Nonce();
        AuthenticationRequest.Builder b = new AuthenticationRequest.Builder(ResponseType.CODE, Scope.parse(scope), client, redirect)
                .endpointURI(op.getAuthorizationEndpointURI()).state(state).nonce(nonce).codeChallenge(verifier, CodeChallengeMethod.S256);
        if (mode != null) b.responseMode(mode);
        if (prompt.length > 0) b.prompt(new Prompt(prompt));
        return new Attempt(b.build(), verifier, state, nonce);
    }

    void logIn() {
        browser.findElement(By.id("username")).sendKeys(USERNAME);
        browser.findElement(By.id("password")).sendKeys(PASSWORD);
        browser.findElement(By.id("sign-in")).click();
    }

    void approve() {
        browser.findElement(By.id("approve")).click();
    }


    /** The code from the callback, after checking state and iss (RFC 9207) as the RP must. */
    static AuthorizationCode code(Received received, Attempt attempt) throws Exception {
        AuthorizationResponse response = received.method().equals("POST")
                ? AuthorizationResponse.parse(redirect, URLUtils.parseParameters(received.parameters()))
                : AuthorizationResponse.parse(URI.create(received.asUri(redirect.toString())));
        assertThat(response.indicatesSuccess()).as("authorization response %s", received).isTrue();
        assertThat(response.getState()).isEqualTo(attempt.state());
        assertThat(response.getIssuer()).isEqualTo(new Issuer(server.issuer()));
        return response.toSuccessResponse().getAuthorizationCode();
    }

    static ClientAuthentication webAuth(ClientID client) {
        return new ClientSecretBasic(client, new Secret(SECRET));
    }

    static TokenResponse token(ClientAuthentication auth, ClientID publicClient, AuthorizationGrant grant) throws Exception {
        TokenRequest request = auth != null ? new TokenRequest(op.getTokenEndpointURI(), auth, grant)
                : new TokenRequest(op.getTokenEndpointURI(), publicClient, grant);
        return OIDCTokenResponseParser.parse(request.toHTTPRequest().send());
    }

    static OIDCTokenResponse exchange(ClientAuthentication auth, ClientID client, AuthorizationCode code, Attempt attempt) throws Exception {
        TokenResponse response = token(auth, client, new AuthorizationCodeGrant(code, redirect, attempt.verifier()));
        assertThat(response.indicatesSuccess()).as("code exchange: %s", response.indicatesSuccess() ? "" : response.toErrorResponse().getErrorObject()).isTrue();
        return (OIDCTokenResponse) response.toSuccessResponse();
    }

    /** OIDC Core §3.1.3.7 by Nimbus: signature against the JWKS, iss, aud, exp, iat and the nonce. */
    static IDTokenClaimsSet validate(JWT idToken, ClientID client, Nonce nonce) throws Exception {
        IDTokenValidator validator = new IDTokenValidator(new Issuer(server.issuer()), client, JWSAlgorithm.RS256, op.getJWKSetURI().toURL());
        return validator.validate(idToken, nonce);
    }

    @Test
    void confidentialClientSignsInValidatesIdTokenReadsUserinfoAndRotatesRefreshTokens() throws Exception {
        Attempt a = attempt(WEB, "openid profile email offline_access", null, Prompt.Type.CONSENT);
        browser.get(a.request().toURI().toString());
        logIn();
        approve();
        OIDCTokenResponse tokens = exchange(webAuth(WEB), WEB, code(callback.next(), a), a);

        IDTokenClaimsSet id = validate(tokens.getOIDCTokens().getIDToken(), WEB, a.nonce());
        assertThat(id.getSubject().getValue()).isEqualTo(server.instance().users().find(USERNAME).orElseThrow().subject()).isNotEqualTo(USERNAME);
        assertThat(id.getAuthenticationTime()).isNotNull();
        AccessTokenValidator.validate(tokens.getOIDCTokens().getAccessToken(), JWSAlgorithm.RS256, id.getAccessTokenHash());

        UserInfoResponse info = UserInfoResponse.parse(new UserInfoRequest(op.getUserInfoEndpointURI(),
                tokens.getOIDCTokens().getBearerAccessToken()).toHTTPRequest().send());
        assertThat(info.indicatesSuccess()).isTrue();
        UserInfo user = info.toSuccessResponse().getUserInfo();
        assertThat(user.getSubject()).isEqualTo(id.getSubject());
        assertThat(user.getName()).isEqualTo("Carol Example");
        assertThat(user.getEmailAddress()).isEqualTo("carol@example.com");

        RefreshToken first = tokens.getOIDCTokens().getRefreshToken();
        assertThat(first).as("offline_access with prompt=consent gives a refresh token").isNotNull();
        OIDCTokenResponse second = refreshed(first);
        RefreshToken secondToken = second.getOIDCTokens().getRefreshToken();
        assertThat(secondToken).isNotEqualTo(first);
        validateRefreshedIdToken(second, id);
        OIDCTokenResponse third = refreshed(secondToken);
        RefreshToken thirdToken = third.getOIDCTokens().getRefreshToken();
        assertThat(thirdToken).isNotEqualTo(secondToken);

        assertInvalidGrant(first); // a rotated token presented again …
        assertInvalidGrant(thirdToken); // … revokes the whole family, the newest token too

        // signed in and consented: prompt=none answers with a code at once, without showing a page
        Attempt silent = attempt(WEB, "openid profile email", null, Prompt.Type.NONE);
        browser.get(silent.request().toURI().toString());
        OIDCTokenResponse again = exchange(webAuth(WEB), WEB, code(callback.next(), silent), silent);
        assertThat(validate(again.getOIDCTokens().getIDToken(), WEB, silent.nonce()).getSubject()).isEqualTo(id.getSubject());
    }

    private static OIDCTokenResponse refreshed(RefreshToken token) throws Exception {
        TokenResponse r = token(webAuth(WEB), WEB, new RefreshTokenGrant(token));
        assertThat(r.indicatesSuccess()).as("refresh: %s", r.indicatesSuccess() ? "" : r.toErrorResponse().getErrorObject()).isTrue();
        return (OIDCTokenResponse) r.toSuccessResponse();
    }

    /** OIDC Core §12.2: a refreshed ID token keeps iss, sub, aud and auth_time, and has no nonce. */
    private static void validateRefreshedIdToken(OIDCTokenResponse refreshed, IDTokenClaimsSet original) throws Exception {
        JWT idToken = refreshed.getOIDCTokens().getIDToken();
        if (idToken == null) return; // an ID token on refresh is optional
        IDTokenClaimsSet claims = validate(idToken, WEB, null);
        assertThat(claims.getSubject()).isEqualTo(original.getSubject());
        assertThat(claims.getAuthenticationTime()).isEqualTo(original.getAuthenticationTime());
        assertThat(claims.getNonce()).isNull();
    }

    private static void assertInvalidGrant(RefreshToken token) throws Exception {
        TokenResponse r = token(webAuth(WEB), WEB, new RefreshTokenGrant(token));
        assertThat(r.indicatesSuccess()).isFalse();
        assertThat(((TokenErrorResponse) r).getErrorObject().getCode()).isEqualTo(OAuth2Error.INVALID_GRANT.getCode());
    }

    @Test
    void publicClientSignsInWithPkceAndClientIdOnly() throws Exception {
        Attempt a = attempt(SPA, "openid profile offline_access", null, Prompt.Type.CONSENT);
        browser.get(a.request().toURI().toString());
        logIn();
        approve();
        OIDCTokenResponse tokens = exchange(null, SPA, code(callback.next(), a), a);
        validate(tokens.getOIDCTokens().getIDToken(), SPA, a.nonce());
        RefreshToken rt = tokens.getOIDCTokens().getRefreshToken();
        assertThat(rt).isNotNull();
        TokenResponse refreshed = token(null, SPA, new RefreshTokenGrant(rt));
        assertThat(refreshed.indicatesSuccess()).isTrue();
    }

    @Test
    void formPostBringsTheCodeInAPostedForm() throws Exception {
        Attempt a = attempt(WEB, "openid profile", ResponseMode.FORM_POST);
        browser.get(a.request().toURI().toString());
        BrowserSignIn.completeAt(browser, redirect.toString(), USERNAME, PASSWORD); // consent for these scopes may be remembered
        Received received = callback.next();
        assertThat(received.method()).isEqualTo("POST");
        AuthorizationCode code = code(received, a);
        OIDCTokenResponse tokens = exchange(webAuth(WEB), WEB, code, a);
        validate(tokens.getOIDCTokens().getIDToken(), WEB, a.nonce());

        // RFC 6749 §4.1.2: the code replayed is refused, and what its first use produced is revoked
        TokenResponse replay = token(webAuth(WEB), WEB, new AuthorizationCodeGrant(code, redirect, a.verifier()));
        assertThat(replay.indicatesSuccess()).isFalse();
        assertThat(replay.toErrorResponse().getErrorObject().getCode()).isEqualTo(OAuth2Error.INVALID_GRANT.getCode());
        UserInfoResponse info = UserInfoResponse.parse(new UserInfoRequest(op.getUserInfoEndpointURI(),
                tokens.getOIDCTokens().getBearerAccessToken()).toHTTPRequest().send());
        assertThat(info.indicatesSuccess()).as("userinfo with an access token of a replayed code").isFalse();
    }

    @Test
    void pushedAuthorizationRequestThenSignInByRequestUri() throws Exception {
        Attempt a = attempt(PAR_ONLY, "openid profile", null);
        PushedAuthorizationResponse pushed = PushedAuthorizationResponse.parse(
                new PushedAuthorizationRequest(op.getPushedAuthorizationRequestEndpointURI(), webAuth(PAR_ONLY), a.request())
                        .toHTTPRequest().send());
        assertThat(pushed.indicatesSuccess()).as("PAR: %s", pushed.indicatesSuccess() ? "" : pushed.toErrorResponse().getErrorObject()).isTrue();
        PushedAuthorizationSuccessResponse ok = pushed.toSuccessResponse();
        URI front = new AuthenticationRequest.Builder(ok.getRequestURI(), PAR_ONLY).endpointURI(op.getAuthorizationEndpointURI()).build().toURI();
        browser.get(front.toString());
        logIn();
        approve();
        OIDCTokenResponse tokens = exchange(webAuth(PAR_ONLY), PAR_ONLY, code(callback.next(), a), a);
        validate(tokens.getOIDCTokens().getIDToken(), PAR_ONLY, a.nonce());
    }

    @Test
    void promptNoneWhenSignedOutThenLoginRequiredAndPromptLoginAsksAgainWhenSignedIn() throws Exception {
        Attempt silent = attempt(WEB, "openid profile", null, Prompt.Type.NONE);
        browser.get(silent.request().toURI().toString());
        AuthorizationResponse refused = AuthorizationResponse.parse(URI.create(callback.next().asUri(redirect.toString())));
        assertThat(refused.indicatesSuccess()).isFalse();
        assertThat(refused.toErrorResponse().getErrorObject().getCode()).isEqualTo("login_required");
        assertThat(refused.getState()).isEqualTo(silent.state());
        assertThat(refused.getIssuer()).isEqualTo(new Issuer(server.issuer()));

        Attempt first = attempt(WEB, "openid profile", null);
        browser.get(first.request().toURI().toString());
        BrowserSignIn.completeAt(browser, redirect.toString(), USERNAME, PASSWORD);
        exchange(webAuth(WEB), WEB, code(callback.next(), first), first);

        Attempt again = attempt(WEB, "openid profile", null, Prompt.Type.LOGIN);
        browser.get(again.request().toURI().toString());
        BrowserSignIn.Shown shown = BrowserSignIn.completeAt(browser, redirect.toString(), USERNAME, PASSWORD);
        assertThat(shown.login()).as("prompt=login shows the login page to a signed-in user").isTrue();
        exchange(webAuth(WEB), WEB, code(callback.next(), again), again);
    }
}
