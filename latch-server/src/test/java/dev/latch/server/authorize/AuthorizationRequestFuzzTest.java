package dev.latch.server.authorize;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.latch.server.FuzzFixture;
import dev.latch.server.client.Client;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Coverage-guided fuzzing of {@link AuthorizationRequestParser}: front-channel parameters as the
 * authorization endpoint receives them (each name with all its values, repeats kept), a {@code request_uri}
 * resolved to pushed parameters (RFC 9126), and parameters being pushed ({@code parse(…, true)}, as the PAR
 * endpoint checks them). A request may be refused only with {@link AuthorizationError}, and an error is sent
 * to a redirect URI only when that URI is registered for the client named; anything else is a finding.
 * Under {@code mvn verify} this runs the inputs kept in {@code AuthorizationRequestFuzzTestInputs/}.
 */
class AuthorizationRequestFuzzTest {

    private static final String PUSHED_URI = "urn:ietf:params:oauth:request_uri:fuzz";
    private static final List<String> NAMES = List.of("client_id", "redirect_uri", "response_type", "scope", "state", "nonce",
            "response_mode", "code_challenge", "code_challenge_method", "prompt", "max_age", "login_hint", "ui_locales", "resource",
            "aud", "request", "request_uri", "launch");
    private static final List<String> VALUES = List.of("web", "spa", "native", "pushed", "basic", "unknown", FuzzFixture.REDIRECT,
            "http://127.0.0.1:8123/cb", "http://[::1]:9/cb?x=1", "http://127.0.0.1/cb#f", "code", "token", "query", "form_post",
            "openid profile", "patient/*.rs launch/patient", "patient/Observation.rs?category=laboratory", "S256", "plain",
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", "none", "login consent", "none login", "0", "-1", "99999999999999999999",
            FuzzFixture.API, FuzzFixture.FHIR_BASE, FuzzFixture.FHIR_BASE + "/", "en fr", PUSHED_URI, "");
    private static FuzzFixture fixture;
    private static AuthorizationRequestParser parser;
    /** What the next {@code request_uri} of {@link #PUSHED_URI} resolves to (the input's second set of parameters). */
    private static Map<String, List<String>> pushed;

    @BeforeAll
    static void open() {
        fixture = new FuzzFixture();
        parser = new AuthorizationRequestParser(fixture.clients()::find,
                (uri, clientId) -> PUSHED_URI.equals(uri) && pushed != null ? Optional.of(pushed) : Optional.empty(), fixture.audiences());
    }

    @AfterAll
    static void close() {
        fixture.close();
    }

    @FuzzTest
    @DictionaryEntries({"openid", "offline_access", "patient/", "user/", "system/", ".rs", ".read", "?", "=", "|", "*", " ",
            "http://127.0.0.1", "http://[::1]", "https://app.example/cb", "urn:ietf:params:oauth:request_uri:"})
    void authorizationRequest(FuzzedDataProvider data) {
        boolean pushing = data.consumeInt(0, 3) == 0;
        Map<String, List<String>> parameters = parameters(data);
        pushed = parameters(data);
        try {
            AuthorizationRequest request = pushing ? parser.parse(parameters, true) : parser.parse(parameters);
            assertThat(AuthorizationRequestParser.redirectUriRegistered(request.client(), request.redirectUri())).isTrue();
            assertThat(request.client().allowsGrant("authorization_code")).isTrue();
        } catch (AuthorizationError refused) {
            assertThat(refused.code()).isNotBlank();
            if (!refused.showsPage()) {
                assertThat(registeredAnywhere(refused.redirectUri()))
                        .as("an error is redirected only to a registered redirect URI: %s", refused.redirectUri()).isTrue();
            }
        }
    }

    private static Map<String, List<String>> parameters(FuzzedDataProvider data) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        int count = data.consumeInt(0, 14);
        for (int i = 0; i < count; i++) {
            String name = data.consumeBoolean() ? data.pickValue(NAMES) : data.consumeString(20);
            String value = data.consumeBoolean() ? data.pickValue(VALUES) : data.consumeString(data.consumeInt(0, 60) == 0 ? 3000 : 100);
            out.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
        }
        return out;
    }

    private static boolean registeredAnywhere(String redirectUri) {
        for (String id : List.of("web", "spa", "native", "pushed")) {
            Client client = fixture.clients().find(id).orElseThrow().client();
            if (AuthorizationRequestParser.redirectUriRegistered(client, redirectUri)) return true;
        }
        return false;
    }
}
