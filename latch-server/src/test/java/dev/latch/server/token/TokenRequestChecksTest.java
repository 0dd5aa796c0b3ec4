package dev.latch.server.token;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.latch.core.error.OAuthError;
import dev.latch.server.client.Client;
import dev.latch.server.config.ServerConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The scope and audience steps shared by the grants, with SMART's coverage rule. */
class TokenRequestChecksTest {

    static final Client CLIENT = new Client.Builder().clientId("app")
            .scope("openid launch/patient patient/*.rs user/Observation.read system/*.cruds").build();

    static String code(Runnable r) {
        try {
            r.run();
            return "granted";
        } catch (OAuthError e) {
            return e.code() + ": " + e.description();
        }
    }

    @Test
    void wildcardsAndV1CoverNarrowerScopesGrantedExactlyAsAsked() {
        assertThat(TokenRequestChecks.checkScope(CLIENT, "patient/Observation.rs  patient/Observation.r patient/*.s openid"))
                .isEqualTo("patient/Observation.rs patient/Observation.r patient/*.s openid");
        assertThat(TokenRequestChecks.checkScope(CLIENT, "user/Observation.rs?category=laboratory user/Observation.read"))
                .isEqualTo("user/Observation.rs?category=laboratory user/Observation.read");
        assertThat(TokenRequestChecks.checkScope(CLIENT, "system/Patient.cud system/*.*")).isEqualTo("system/Patient.cud system/*.*");
        assertThat(TokenRequestChecks.checkScope(CLIENT, null)).isEqualTo(String.join(" ", CLIENT.scopes()));
    }

    @Test
    void scopesBeyondTheClientsAreRefusedByName() {
        assertThat(code(() -> TokenRequestChecks.checkScope(CLIENT, "patient/Observation.rs patient/Observation.c user/Patient.r launch")))
                .isEqualTo("invalid_scope: scope not allowed for this client: patient/Observation.c user/Patient.r launch");
    }

    @Test
    void malformedClinicalScopeIsInvalidScopeNamingIt() {
        for (String bad : List.of("patient/Observation.xyz", "patient/observation.rs", "user/*.", "system/Observation", "patient/*.read?x=1")) {
            assertThat(code(() -> TokenRequestChecks.checkScope(CLIENT, "openid " + bad))).as(bad)
                    .startsWith("invalid_scope: malformed SMART scope " + bad + ": ");
        }
    }

    @Test
    void refreshNarrowsUnderTheOriginalGrantBySmartCoverage() {
        assertThat(RefreshTokenGrant.narrowScope("openid patient/*.rs", "patient/Condition.r")).isEqualTo("patient/Condition.r");
        assertThat(RefreshTokenGrant.narrowScope("openid patient/*.rs", null)).isEqualTo("openid patient/*.rs");
        assertThat(code(() -> RefreshTokenGrant.narrowScope("openid patient/Observation.rs", "patient/*.rs")))
                .isEqualTo("invalid_scope: scope beyond the original grant: patient/*.rs");
        assertThat(code(() -> RefreshTokenGrant.narrowScope("openid patient/*.rs", "patient/*.rsx"))).startsWith("invalid_scope: malformed");
    }

    @Test
    void configuredFhirBasesAreAudiencesEveryClientMayNameWrittenAsConfigured() {
        Audiences audiences = new Audiences("https://latch.example", new ServerConfig.Smart(List.of(
                new ServerConfig.FhirServer("https://fhir.example.org/r4", "https://fhir.example.org/r4"))));
        assertThat(TokenRequestChecks.checkAudience(CLIENT, List.of("https://fhir.example.org/r4/"), audiences))
                .containsExactly("https://fhir.example.org/r4");
        assertThat(TokenRequestChecks.checkAudience(CLIENT, List.of(), audiences)).containsExactly("https://latch.example");
        assertThat(code(() -> TokenRequestChecks.checkAudience(CLIENT, List.of("https://other.example/api"), audiences)))
                .isEqualTo("invalid_target: resource not allowed for this client: https://other.example/api");
        assertThat(audiences.forBackendService("system/*.rs", List.of(), null)).containsExactly("https://fhir.example.org/r4");
        assertThat(audiences.forBackendService("read", List.of(), null)).isEmpty();
        assertThatThrownBy(() -> audiences.forBackendService("system/*.rs", List.of(), "https://fhir.example.org/r5"))
                .isInstanceOf(OAuthError.class).hasMessageContaining("aud must be the FHIR server's base URL");
        assertThat(audiences.authorizeAud("openid profile", null)).isEmpty();
        assertThat(audiences.authorizeAud("launch/patient", "https://fhir.example.org/r4/")).contains("https://fhir.example.org/r4");
        assertThat(code(() -> audiences.authorizeAud("launch", null))).startsWith("invalid_request: aud must be the FHIR server's base URL");
        Audiences none = new Audiences("https://latch.example", null);
        assertThat(none.authorizeAud("patient/*.rs", "https://anything.example")).isEmpty();
    }
}
