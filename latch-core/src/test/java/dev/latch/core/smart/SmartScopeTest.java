package dev.latch.core.smart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.latch.core.smart.SmartScope.Context;
import dev.latch.core.smart.SmartScope.Permission;
import dev.latch.core.smart.SmartScope.Restriction;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class SmartScopeTest {

    @Test
    void v2ScopeReadsContextTypePermissionsAndRestrictions() {
        SmartScope s = SmartScope.parse("patient/Observation.rs?category=http://terminology.hl7.org/CodeSystem/observation-category|laboratory");
        assertThat(s.context()).isEqualTo(Context.PATIENT);
        assertThat(s.resourceType()).isEqualTo("Observation");
        assertThat(s.permissionLetters()).isEqualTo("rs");
        assertThat(s.v1()).isFalse();
        assertThat(s.restrictions()).containsExactly(
                new Restriction("category", "http://terminology.hl7.org/CodeSystem/observation-category|laboratory"));
        assertThat(s.allows("Observation", Permission.READ)).isTrue();
        assertThat(s.allows("Observation", Permission.SEARCH)).isTrue();
        assertThat(s.allows("Observation", Permission.CREATE)).isFalse();
        assertThat(s.allows("Condition", Permission.READ)).isFalse();
    }

    @Test
    void percentEncodedRestrictionIsDecoded() {
        SmartScope s = SmartScope.parse("user/Observation.s?category=http%3A%2F%2Fterminology.hl7.org%2FCodeSystem%2Fobservation-category%7Cvital-signs");
        assertThat(s.restrictions()).containsExactly(
                new Restriction("category", "http://terminology.hl7.org/CodeSystem/observation-category|vital-signs"));
    }

    @ParameterizedTest
    @CsvSource({
            "patient/Observation.read, rs",
            "user/*.write, cud",
            "system/Patient.*, cruds",
            "patient/*.cruds, cruds",
            "user/Condition.cu, cu",
            "system/Encounter.d, d"})
    void v1FormsMapToV2Permissions(String scope, String letters) {
        SmartScope s = SmartScope.parse(scope);
        assertThat(s.permissionLetters()).isEqualTo(letters);
        assertThat(s.v1()).isEqualTo(scope.endsWith(".read") || scope.endsWith(".write") || scope.endsWith(".*"));
        assertThat(s.text()).isEqualTo(scope);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "patient/Observation", "patient/Observation.", "patient/.rs", "patient/observation.rs",
            "patient/Observation.sr", "patient/Observation.rr", "patient/Observation.x", "patient/Observation.READ",
            "patient/Observation.rs?", "patient/Observation.rs?category", "patient/Observation.rs?category=",
            "patient/Observation.rs?=lab", "patient/Observation.read?category=laboratory",
            "patient/Observation.rs?category=%ZZ", "patient/Obs-ervation.rs", "patient/*.", "clinic/Observation.rs",
            "patient/Observation.rs?a=b&", "patient/Observation.rs?$bad=1"})
    void malformedScopesAreRefusedWithAReason(String scope) {
        assertThatThrownBy(() -> SmartScope.parse(scope))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(scope);
    }

    @ParameterizedTest
    @CsvSource(delimiter = ';', value = {
            "patient/*.rs; patient/Observation.rs; true",
            "patient/*.rs; patient/Observation.r; true",
            "patient/*.rs; patient/Observation.read; true",
            "patient/*.read; patient/Observation.rs; true",
            "patient/*.rs; patient/Observation.rs?category=laboratory; true",
            "patient/Observation.rs?category=laboratory; patient/Observation.rs?category=laboratory; true",
            "patient/Observation.rs?category=laboratory; patient/Observation.r?category=laboratory&code=1234-5; true",
            "patient/Observation.rs?category=laboratory; patient/Observation.rs; false",
            "patient/Observation.rs?category=laboratory; patient/Observation.rs?category=vital-signs; false",
            "patient/*.rs; patient/Observation.rus; false",
            "patient/*.rs; user/Observation.rs; false",
            "user/*.cruds; patient/Observation.rs; false",
            "patient/Observation.rs; patient/Condition.rs; false",
            "patient/Observation.rs; patient/*.rs; false",
            "patient/*.write; patient/Observation.cud; true",
            "patient/*.write; patient/Observation.rs; false",
            "system/*.*; system/Patient.cruds; true"})
    void allowedScopeCoversAskedScope(String allowed, String asked, boolean covers) {
        assertThat(SmartScope.parse(allowed).covers(SmartScope.parse(asked))).isEqualTo(covers);
        assertThat(SmartScopes.covered(List.of("openid", allowed), asked)).isEqualTo(covers);
    }

    @Test
    void nonClinicalScopesAreCoveredByExactNameOnly() {
        assertThat(SmartScopes.covered(List.of("launch", "openid"), "launch")).isTrue();
        assertThat(SmartScopes.covered(List.of("launch"), "launch/patient")).isFalse();
        assertThat(SmartScopes.covered(List.of("patient/*.rs"), "api.read")).isFalse();
        assertThatThrownBy(() -> SmartScopes.covered(List.of("patient/*.rs"), "patient/Observation.sr"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void describedInPlainWords() {
        assertThat(SmartScope.parse("patient/Observation.rs?category=http://terminology.hl7.org/CodeSystem/observation-category|laboratory").describe())
                .isEqualTo("Read and search your lab results");
        assertThat(SmartScope.parse("patient/Condition.read").describe()).isEqualTo("Read and search your conditions (problems and diagnoses)");
        assertThat(SmartScope.parse("user/*.cruds").describe())
                .isEqualTo("Read, search, create, update and delete health records you are allowed to see");
        assertThat(SmartScope.parse("system/Patient.r").describe())
                .isEqualTo("Read all demographics (name, birth date, contact details) on the server (a backend system, no user)");
        assertThat(SmartScope.parse("patient/Observation.rs?code=1234-5").describe())
                .isEqualTo("Read and search your observations (lab results, vital signs) (only code 1234-5)");
        assertThat(SmartScopes.describe("launch/patient")).contains("Know which patient record is selected");
        assertThat(SmartScopes.describe("api.read")).isEmpty();
        assertThat(SmartScopes.describe("patient/Observation.zz")).isEmpty();
    }

    @Test
    void clinicalPicksTheWellFormedClinicalScopes() {
        assertThat(SmartScopes.clinical(List.of("openid", "launch", "patient/Observation.rs", "user/*.read", "patient/bad")))
                .extracting(SmartScope::text).containsExactly("patient/Observation.rs", "user/*.read");
    }
}
