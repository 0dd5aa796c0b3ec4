package dev.latch.server.token;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.latch.core.error.OAuthError;
import dev.latch.server.FuzzFixture;
import dev.latch.server.client.ClientAuthentication;
import dev.latch.server.http.FormParameters;
import dev.latch.server.http.Request;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Coverage-guided fuzzing of the token request's parsing, as {@link TokenEndpoint} does it before a grant
 * runs: the form body ({@link FormParameters}: method, content type, charset, encoding, repeats), client
 * authentication by Basic header, {@code client_secret_post} or public {@code client_id}, the
 * {@link TokenRequest} read from the form, and the scope and audience checks every grant makes. A request may
 * be refused only with {@link OAuthError} (rendered as the RFC's JSON error); any other exception would be a
 * 500 and is a finding. Under {@code mvn verify} this runs the inputs kept in {@code TokenRequestFuzzTestInputs/}.
 */
class TokenRequestFuzzTest {

    private static final List<String> METHODS = List.of("POST", "GET", "PUT", "DELETE");
    private static final List<String> CONTENT_TYPES = List.of("application/x-www-form-urlencoded",
            "application/x-www-form-urlencoded; charset=UTF-8", "application/json", "");
    private static FuzzFixture fixture;

    @BeforeAll
    static void open() {
        fixture = new FuzzFixture();
    }

    @AfterAll
    static void close() {
        fixture.close();
    }

    @FuzzTest
    @DictionaryEntries({"grant_type=", "client_credentials", "authorization_code", "refresh_token", "&scope=", "&resource=",
            "&client_id=", "&client_secret=", "&code=", "&redirect_uri=", "&code_verifier=", "&refresh_token=", "&aud=",
            "basic", "post", "spa", "web", "read", "write", "system/Patient.rs", "patient/*.rs", "https://api.example/",
            "https://fhir.example/r4", "%20", "%", "+", "=", "&", "#", "basic:" + FuzzFixture.BASIC_SECRET})
    void tokenRequest(FuzzedDataProvider data) {
        String method = data.consumeBoolean() ? "POST" : data.pickValue(METHODS);
        String contentType = data.consumeBoolean() ? data.pickValue(CONTENT_TYPES) : data.consumeString(80);
        Map<String, List<String>> headers = new LinkedHashMap<>();
        if (!contentType.isEmpty()) headers.put("content-type", List.of(contentType));
        switch (data.consumeInt(0, 3)) {
            case 1 -> headers.put("authorization", List.of("Basic " + Base64.getEncoder()
                    .encodeToString(data.consumeString(200).getBytes(StandardCharsets.UTF_8))));
            case 2 -> headers.put("authorization", List.of(data.consumeString(200)));
            case 3 -> headers.put("authorization", List.of("Basic " + data.consumeString(200), data.consumeString(50)));
            default -> { }
        }
        Request request = new Request(method, "/token", headers, Map.of(), data.consumeRemainingAsBytes(), "127.0.0.1");
        try {
            parse(request);
        } catch (OAuthError refused) {
            assertThat(refused.status()).as("a refusal, not a server error").isBetween(400, 499);
        }
    }

    private static void parse(Request request) {
        FormParameters form = FormParameters.parse(request);
        for (Map.Entry<String, List<String>> p : form.asMap().entrySet()) {
            assertThat(p.getValue()).as("empty values count as absent").allMatch(v -> !v.isEmpty());
            if (!p.getKey().equals("resource") && !p.getKey().equals("audience")) {
                assertThat(p.getValue()).as("only resource and audience may repeat").hasSize(1);
            }
        }
        String grantType = form.require("grant_type");
        ClientAuthentication.Authenticated client = fixture.authentication().authenticate(request, form);
        TokenRequest token = TokenRequest.read(grantType, client, form);
        String scope = TokenRequestChecks.checkScope(client.client(), token.scope());
        List<String> resources = fixture.audiences().forBackendService(scope, token.resources(), token.aud());
        TokenRequestChecks.checkAudience(client.client(), resources, fixture.audiences());
    }
}
