package dev.latch.core.smart;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The launch context as SMART App Launch 2.2 names its members, and read back from claims. */
class LaunchContextTest {

    @Test
    void parametersAreOnlyThosePresentUnderTheirSmartNames() {
        LaunchContext c = new LaunchContext("p1", null, List.of(Map.of("reference", "DocumentReference/7")), null, false, null, "t");

        assertThat(c.toParameters()).containsExactly(Map.entry("patient", "p1"),
                Map.entry("fhirContext", List.of(Map.of("reference", "DocumentReference/7"))),
                Map.entry("need_patient_banner", false), Map.entry("tenant", "t"));
        assertThat(LaunchContext.NONE.toParameters()).isEmpty();
        assertThat(LaunchContext.NONE.empty()).isTrue();
        assertThat(c.empty()).isFalse();
    }

    @Test
    void fromClaimsReadsBackWhatToParametersWrote() {
        LaunchContext c = new LaunchContext("p1", "e1", List.of(Map.of("reference", "Observation/1", "role", "x")), "review", true,
                "https://ehr.example/s.json", "north");
        Map<String, Object> claims = new LinkedHashMap<>(Map.of("iss", "https://latch.example", "sub", "u1"));
        claims.putAll(c.toParameters());

        assertThat(LaunchContext.fromClaims(claims)).isEqualTo(c);
        assertThat(LaunchContext.fromClaims(Map.of("sub", "u1"))).isEqualTo(LaunchContext.NONE);
    }

    @Test
    void membersOfTheWrongTypeAreLeftOut() {
        LaunchContext c = LaunchContext.fromClaims(Map.of("patient", 7, "need_patient_banner", "yes", "fhirContext", List.of("x", Map.of("reference", "A/1"))));

        assertThat(c).isEqualTo(new LaunchContext(null, null, List.of(Map.of("reference", "A/1")), null, null, null, null));
    }

    @Test
    void emptyFhirContextIsNoFhirContext() {
        assertThat(new LaunchContext("p", null, List.of(), null, null, null, null).toParameters()).containsOnlyKeys("patient");
    }
}
