package dev.latch.server.authorize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.latch.server.client.Client;
import dev.latch.server.client.StoredClient;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AuthorizationRequestParserTest {

    static final String CHALLENGE = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"; // RFC 7636 Appendix B
    static final Client WEB = new Client.Builder().clientId("web").scope("openid profile email")
            .grantTypes(List.of("authorization_code")).redirectUris(List.of("https://app.example/cb")).build();
    static final Client NATIVE = new Client.Builder().clientId("native").scope("openid").applicationType("native")
            .tokenEndpointAuthMethod(Client.NONE).grantTypes(List.of("authorization_code"))
            .redirectUris(List.of("http://127.0.0.1/callback")).build();
    static final Client RELAXED = WEB.toBuilder().clientId("relaxed").requirePkce(false).build();
    static final Client MACHINE = new Client.Builder().clientId("machine").scope("read")
            .grantTypes(List.of("client_credentials")).redirectUris(List.of("https://m.example/cb")).build();
    static final Client DISABLED = WEB.toBuilder().clientId("off").enabled(false).build();

    final AuthorizationRequestParser parser = new AuthorizationRequestParser(id -> Optional.ofNullable(switch (id) {
        case "web" -> stored(WEB);
        case "native" -> stored(NATIVE);
        case "relaxed" -> stored(RELAXED);
        case "machine" -> stored(MACHINE);
        case "off" -> stored(DISABLED);
        default -> null;
    }));

    static StoredClient stored(Client c) {
        return new StoredClient(c, null, null, null, 0, 0);
    }

    static Map<String, List<String>> valid() {
        Map<String, List<String>> p = new LinkedHashMap<>();
        p.put("response_type", List.of("code"));
        p.put("client_id", List.of("web"));
        p.put("redirect_uri", List.of("https://app.example/cb"));
        p.put("scope", List.of("openid profile"));
        p.put("state", List.of("s-1"));
        p.put("nonce", List.of("n-1"));
        p.put("code_challenge", List.of(CHALLENGE));
        p.put("code_challenge_method", List.of("S256"));
        return p;
    }

    static Map<String, List<String>> with(String name, String... values) {
        Map<String, List<String>> p = valid();
        if (values.length == 0) p.remove(name); else p.put(name, new ArrayList<>(List.of(values)));
        return p;
    }

    AuthorizationError error(Map<String, List<String>> p) {
        return catchThrowableOfType(AuthorizationError.class, () -> parser.parse(p));
    }

    @Test
    void validRequestIsParsed() {
        AuthorizationRequest r = parser.parse(valid());
        assertThat(r.client().clientId()).isEqualTo("web");
        assertThat(r.scope()).isEqualTo("openid profile");
        assertThat(r.openid()).isTrue();
        assertThat(r.responseMode()).isEqualTo("query");
        assertThat(r.codeChallenge()).isEqualTo(CHALLENGE);
        assertThat(r.state()).isEqualTo("s-1");
        assertThat(r.nonce()).isEqualTo("n-1");
    }

    @Test
    void untrustedClientOrRedirectUriGivesAPageNeverARedirect() {
        assertThat(error(with("client_id")).showsPage()).isTrue();
        assertThat(error(with("client_id", "nobody")).code()).isEqualTo("invalid_client");
        assertThat(error(with("client_id", "off")).showsPage()).isTrue();
        assertThat(error(with("client_id", "web", "web")).showsPage()).isTrue();
        assertThat(error(with("redirect_uri")).showsPage()).isTrue();
        assertThat(error(with("redirect_uri", "https://app.example/cb/")).showsPage()).isTrue();
        assertThat(error(with("redirect_uri", "https://app.example/cb?x=1")).showsPage()).isTrue();
        assertThat(error(with("redirect_uri", "https://evil.example/cb")).showsPage()).isTrue();
        assertThat(error(with("redirect_uri", "https://app.example/cb", "https://evil.example/cb")).showsPage()).isTrue();
        AuthorizationError par = error(with("request_uri", "urn:ietf:params:oauth:request_uri:nope"));
        assertThat(par.showsPage()).isTrue();
        assertThat(par.code()).isEqualTo("invalid_request_uri");
    }

    @Test
    void loopbackRedirectMatchesAnyPortForNativeClientsOnly() {
        Map<String, List<String>> p = with("client_id", "native");
        p.put("scope", List.of("openid"));
        p.put("redirect_uri", List.of("http://127.0.0.1:51234/callback"));
        assertThat(parser.parse(p).redirectUri()).isEqualTo("http://127.0.0.1:51234/callback");
        p.put("redirect_uri", List.of("http://127.0.0.1:51234/other"));
        assertThat(error(p).showsPage()).isTrue();
        p.put("redirect_uri", List.of("http://localhost:51234/callback"));
        assertThat(error(p).showsPage()).isTrue();
        Map<String, List<String>> web = with("redirect_uri", "https://app.example:8443/cb");
        assertThat(error(web).showsPage()).isTrue();
    }

    @Test
    void otherErrorsGoBackToTheClientWithState() {
        AuthorizationError e = error(with("response_type", "token"));
        assertThat(e.showsPage()).isFalse();
        assertThat(e.code()).isEqualTo("unsupported_response_type");
        assertThat(e.redirectUri()).isEqualTo("https://app.example/cb");
        assertThat(e.state()).isEqualTo("s-1");
        assertThat(error(with("response_type")).code()).isEqualTo("invalid_request");
        assertThat(error(with("request", "eyJ...")).code()).isEqualTo("request_not_supported");
        assertThat(error(with("scope", "openid admin")).code()).isEqualTo("invalid_scope");
        assertThat(error(with("nonce", "a", "b")).code()).isEqualTo("invalid_request");
        assertThat(error(with("state", "a", "b")).state()).isNull();
        Map<String, List<String>> machine = with("client_id", "machine");
        machine.put("redirect_uri", List.of("https://m.example/cb"));
        assertThat(error(machine).code()).isEqualTo("unauthorized_client");
    }

    @Test
    void pkceMustBeS256AndIsRequiredUnlessRelaxedForAConfidentialClient() {
        assertThat(error(with("code_challenge_method", "plain")).description()).contains("S256");
        assertThat(error(with("code_challenge_method")).description()).contains("S256");
        assertThat(error(with("code_challenge", "short")).code()).isEqualTo("invalid_request");
        Map<String, List<String>> none = with("code_challenge");
        none.remove("code_challenge_method");
        assertThat(error(none).description()).contains("PKCE is required");
        none.put("client_id", List.of("relaxed"));
        assertThat(parser.parse(none).codeChallenge()).isNull();
        Map<String, List<String>> nativeNone = with("client_id", "native");
        nativeNone.put("redirect_uri", List.of("http://127.0.0.1/callback"));
        nativeNone.put("scope", List.of("openid"));
        nativeNone.remove("code_challenge");
        nativeNone.remove("code_challenge_method");
        assertThat(error(nativeNone).description()).contains("PKCE is required");
    }

    @Test
    void responseModePromptMaxAgeAndSizesAreChecked() {
        assertThat(parser.parse(with("response_mode", "form_post")).responseMode()).isEqualTo("form_post");
        AuthorizationError fragment = error(with("response_mode", "fragment"));
        assertThat(fragment.code()).isEqualTo("invalid_request");
        assertThat(fragment.responseMode()).isEqualTo("query");
        assertThat(parser.parse(with("prompt", "login consent")).prompt()).containsExactlyInAnyOrder("login", "consent");
        assertThat(error(with("prompt", "none login")).code()).isEqualTo("invalid_request");
        assertThat(error(with("prompt", "select_account")).code()).isEqualTo("invalid_request");
        assertThat(parser.parse(with("max_age", "0")).maxAge()).isZero();
        assertThat(error(with("max_age", "-1")).code()).isEqualTo("invalid_request");
        assertThat(error(with("max_age", "soon")).code()).isEqualTo("invalid_request");
        assertThat(error(with("login_hint", "x".repeat(3000))).code()).isEqualTo("invalid_request");
        AuthorizationError longState = error(with("state", "s".repeat(3000)));
        assertThat(longState.state()).isNull();
        assertThat(longState.showsPage()).isFalse();
    }

    @Test
    void resourceIndicatorsMustBeAllowedForTheClient() {
        assertThat(error(with("resource", "https://api.example")).code()).isEqualTo("invalid_target");
        assertThat(error(with("resource", "relative/path")).code()).isEqualTo("invalid_target");
    }
}
