package dev.latch.gateway.smart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.latch.gateway.smart.FhirRequest.Interaction;
import dev.latch.gateway.smart.FhirRequest.Param;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The SMART decision alone: interaction → permission, the patient compartment, restrictions, and responses. */
class SmartPolicyTest {

    static final SmartPolicy POLICY = new SmartPolicy(Set.of("http://localhost:8000/fhir"));
    static final String LAB = "http://terminology.hl7.org/CodeSystem/observation-category|laboratory";

    static SmartGrant grant(String scopes, String patient) {
        return SmartGrant.of(List.of(scopes.split(" ")), patient == null ? Map.of() : Map.of("patient", patient));
    }

    static SmartPolicy.Decision decide(String scopes, String patient, String method, String url) {
        return decide(scopes, patient, method, url, null);
    }

    static SmartPolicy.Decision decide(String scopes, String patient, String method, String url, String body) {
        int q = url.indexOf('?');
        JsonNode json = body == null ? null : SmartJson.parse(body.getBytes());
        FhirRequest request = FhirRequest.parse(method, q < 0 ? url : url.substring(0, q), q < 0 ? null : url.substring(q + 1), null, json, null);
        return POLICY.decide(request, grant(scopes, patient));
    }

    static JsonNode json(String s) {
        JsonNode node = SmartJson.parse(s.getBytes());
        assertThat(node).as(s).isNotNull();
        return node;
    }

    // ------------------------------------------------------------------ interactions

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource(delimiter = ';', value = {
            "GET;Patient/p1;READ", "GET;Patient/p1/_history/2;VREAD", "GET;Patient/p1/_history;HISTORY_INSTANCE",
            "GET;Observation/_history;HISTORY_TYPE", "GET;_history;HISTORY_SYSTEM", "GET;Observation;SEARCH_TYPE",
            "POST;Observation/_search;SEARCH_TYPE", "GET;'';SEARCH_SYSTEM", "POST;_search;SEARCH_SYSTEM",
            "GET;Patient/p1/Observation;SEARCH_COMPARTMENT", "POST;Patient/p1/Observation/_search;SEARCH_COMPARTMENT",
            "POST;Observation;CREATE", "PUT;Observation/o1;UPDATE", "PUT;Observation;CONDITIONAL_UPDATE", "PATCH;Observation/o1;PATCH",
            "PATCH;Observation;CONDITIONAL_PATCH", "DELETE;Observation/o1;DELETE", "DELETE;Observation;CONDITIONAL_DELETE",
            "POST;'';BATCH", "GET;metadata;CAPABILITIES", "GET;$convert;OPERATION_SYSTEM", "POST;Observation/$lastn;OPERATION_TYPE",
            "GET;Patient/p1/$everything;OPERATION_INSTANCE"})
    void interactionsAreRead(String method, String path, Interaction expected) {
        assertThat(FhirRequest.parse(method, path, null, null, null, null).interaction()).isEqualTo(expected);
    }

    @Test
    void pageRequestIsItsOwnInteraction() {
        assertThat(FhirRequest.parse("GET", "", "_getpages=abc&_getpagesoffset=20", null, null, null).interaction()).isEqualTo(Interaction.PAGE);
    }

    @ParameterizedTest
    @CsvSource(delimiter = ';', value = {"GET;Patient//p1;400", "GET;Patient/p1/;400", "GET;patient/p1;404", "GET;Patient/p 1;400",
            "HEAD;Patient/p1;405", "POST;Patient/p1;405", "GET;Patient/p1/_history/1/x;404", "GET;Patient/$bad op;400",
            "PUT;'';405", "GET;Patient/p1/observation;404"})
    void malformedInteractionsAreInvalid(String method, String path, int status) {
        assertThatThrownBy(() -> FhirRequest.parse(method, path, null, null, null, null))
                .isInstanceOfSatisfying(FhirRequest.Invalid.class, e -> assertThat(e.status()).isEqualTo(status));
    }

    @Test
    void badQueryEncodingIsInvalid() {
        assertThatThrownBy(() -> FhirRequest.parse("GET", "Observation", "patient=%zz", null, null, null)).isInstanceOf(FhirRequest.Invalid.class);
    }

    @ParameterizedTest(name = "{0} {1} {2} -> {3}")
    @CsvSource(delimiter = ';', value = {
            // scopes; method; url; allowed?
            "user/Patient.r;GET;Patient/p2;true", "user/Patient.s;GET;Patient/p2;false", "user/Patient.r;GET;Patient/p2/_history/1;true",
            "user/Patient.r;GET;Patient/p2/_history;true", "user/Observation.r;GET;Observation/_history;false",
            "user/Observation.s;GET;Observation/_history;true", "user/Observation.s;GET;Observation;true",
            "user/Observation.r;GET;Observation;false", "user/Observation.s;POST;Observation/_search;true",
            "user/Observation.c;POST;Observation;true", "user/Observation.u;POST;Observation;false",
            "user/Observation.u;PUT;Observation/o1;true", "user/Observation.c;PUT;Observation/o1;false",
            "user/Observation.u;PATCH;Observation/o1;true", "user/Observation.d;DELETE;Observation/o1;true",
            "user/Observation.u;DELETE;Observation/o1;false", "user/Observation.d;DELETE;Observation?code=x;false",
            "user/Observation.ds;DELETE;Observation?code=x;true", "user/Observation.us;PUT;Observation?code=x;true",
            "user/Observation.s;GET;'';false", "user/*.s;GET;'';true", "user/*.rs;GET;_history;true", "user/Observation.rs;GET;_history;false",
            "user/Observation.s;GET;Patient/p1/Observation;true", "user/Observation.read;GET;Observation/o1;true",
            "user/Observation.write;GET;Observation/o1;false", "user/Observation.write;POST;Observation;true",
            "user/Observation.*;DELETE;Observation/o1;true", "system/Observation.rs;GET;Observation;true",
            "user/*.rs;GET;$convert;false", "user/*.cruds;GET;$convert;true", "patient/*.cruds;GET;$convert;false",
            "user/ValueSet.r;GET;ValueSet/$expand?url=x;true", "user/Observation.s;GET;Observation/$lastn;true",
            "user/Patient.r user/*.s;GET;Patient/p9/$everything;true", "user/Patient.r;GET;Patient/p9/$everything;false",
            "user/Observation.r;GET;Observation/o1/$meta;true", "user/Observation.s;GET;Observation?_include=Observation:subject:Patient;false",
            "user/Observation.s user/Patient.r;GET;Observation?_include=Observation:subject:Patient;true",
            "user/Observation.s user/Patient.r;GET;Observation?_include=Observation:subject;false",
            "user/Observation.s user/Patient.r;GET;Observation?_include=Observation:patient;true",
            "user/Observation.s user/*.r;GET;Observation?_include=*;true",
            "user/Patient.s;GET;Patient?_revinclude=Provenance:target;false", "user/Patient.s user/Provenance.s;GET;Patient?_revinclude=Provenance:target;true",
            "user/Observation.s;GET;Observation?subject:Patient.name=x;false", "user/Observation.s user/Patient.s;GET;Observation?subject:Patient.name=x;true",
            "user/Patient.s;GET;Patient?_has:Observation:patient:code=x;false", "user/Patient.s user/Observation.s;GET;Patient?_has:Observation:patient:code=x;true",
            "launch openid fhirUser;GET;Patient/p1;false", "user/Patient.rs?bad;GET;Patient/p1;false"})
    void userScopesMapInteractionsToPermissions(String scopes, String method, String url, boolean allowed) {
        SmartPolicy.Decision d = decide(scopes, null, method, url);
        assertThat(d.allowed()).as(d.message()).isEqualTo(allowed);
        if (allowed) {
            assertThat(d.checkResponse()).isFalse();
            assertThat(d.confinement()).isEmpty();
        } else {
            assertThat(d.status()).isIn(400, 403);
        }
    }

    // ------------------------------------------------------------------ the patient compartment

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = ';', value = {
            "GET;Patient/p2", "GET;Patient/p2/_history", "GET;Patient/p2/_history/1", "GET;Patient/p2/$everything",
            "GET;Patient/p2/Observation", "GET;Patient?_id=p2", "GET;Patient?_id=p1,p2", "GET;Observation?patient=p2",
            "GET;Observation?patient=Patient/p2", "GET;Observation?subject=Patient/p2", "GET;Observation?subject=p2",
            "GET;Observation?subject:Patient=p2", "GET;Observation?patient=p1,p2", "GET;Observation?patient=p1&subject=p2",
            "GET;Observation?subject:Patient.name=Two", "GET;Observation?patient.identifier=x", "GET;Observation?subject.name=x",
            "GET;Observation?_has:Condition:subject:code=x", "GET;Patient?_has:Observation:patient:code=x",
            "GET;Observation?patient:missing=true", "GET;Observation?subject:identifier=x", "GET;Observation?performer=Patient/p2",
            "GET;Observation?subject=https://other.example/fhir/Patient/p1", "GET;Observation?_query=everyone",
            "GET;Observation?_filter=subject eq p2", "GET;Observation/_history", "GET;_history", "GET;''", "GET;Encounter/e1/Observation",
            "GET;Practitioner/pr1", "GET;Practitioner", "PATCH;Observation/o1", "DELETE;Practitioner/pr1",
            "DELETE;Patient/p2", "GET;Observation?_contained=true", "PUT;Observation?patient=p1", "GET;Group/g1",
            "GET;Observation/$lastn?patient=p2", "GET;$convert"})
    void patientScopesReachNoOtherPatient(String method, String url) {
        SmartPolicy.Decision d = decide("patient/*.cruds", "p1", method, url);
        assertThat(d.allowed()).as(url).isFalse();
        assertThat(d.status()).isEqualTo(403);
        assertThat(d.issue()).isEqualTo("forbidden");
    }

    @ParameterizedTest(name = "{0} {1} + {2}")
    @CsvSource(delimiter = ';', value = {
            "GET;Observation;patient=Patient/p1", "GET;Observation?code=1234-5;patient=Patient/p1",
            "GET;Observation?performer=Practitioner/pr1;patient=Patient/p1", "GET;Observation?subject:Group=g1;patient=Patient/p1",
            "GET;Condition;patient=Patient/p1", "GET;Encounter?date=gt2020;patient=Patient/p1", "GET;Patient?name=x;_id=p1",
            "GET;Coverage;beneficiary=Patient/p1", "GET;Account;subject=Patient/p1", "GET;Observation/$lastn?code=x;patient=Patient/p1",
            "POST;Observation/_search;patient=Patient/p1"})
    void patientSearchesWithoutThePatientAreConfined(String method, String url, String added) {
        SmartPolicy.Decision d = decide("patient/*.rs", "p1", method, url);
        assertThat(d.allowed()).as(d.message()).isTrue();
        int eq = added.indexOf('=');
        assertThat(d.confinement()).containsExactly(new Param(added.substring(0, eq), added.substring(eq + 1)));
        assertThat(d.checkResponse()).isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = ';', value = {"Observation?patient=p1", "Observation?patient=Patient/p1", "Observation?subject=Patient/p1",
            "Observation?subject:Patient=p1", "Observation?patient=p1&code=x", "Observation?subject=http://localhost:8000/fhir/Patient/p1",
            "Patient?_id=p1", "Patient/p1/Observation", "Patient/p1/Observation?code=x", "Observation?performer=p1",
            "Observation?patient=p1&_include=Observation:patient", "Observation?patient=p1&_revinclude=Provenance:target"})
    void patientSearchesNamingThePatientAreNotChanged(String url) {
        SmartPolicy.Decision d = decide("patient/*.rs", "p1", "GET", url);
        assertThat(d.allowed()).as(d.message()).isTrue();
        assertThat(d.confinement()).isEmpty();
        assertThat(d.checkResponse()).isTrue();
    }

    @Test
    void patientReadsOnlyTheirOwnPatientResource() {
        assertThat(decide("patient/Patient.r", "p1", "GET", "Patient/p1").allowed()).isTrue();
        assertThat(decide("patient/Patient.r", "p1", "GET", "Patient/p1/$everything").allowed()).isFalse(); // needs s on *
        assertThat(decide("patient/*.rs", "p1", "GET", "Patient/p1/$everything").allowed()).isTrue();
        assertThat(decide("patient/Patient.r", "p1", "GET", "Patient/P1").allowed()).isFalse();
        assertThat(decide("patient/Patient.r user/Patient.r", "p1", "GET", "Patient/p2").allowed()).isTrue(); // the user scope
    }

    @Test
    void patientScopesWithoutPatientGrantNothingAndSaySo() {
        SmartPolicy.Decision d = decide("patient/Observation.rs", null, "GET", "Observation");
        assertThat(d.status()).isEqualTo(403);
        assertThat(d.message()).contains("no patient in context");
        assertThat(decide("patient/Observation.rs", "../p2", "GET", "Observation").allowed()).isFalse(); // not a FHIR id
    }

    @Test
    void requiredScopeIsNamed() {
        assertThat(decide("patient/Patient.r", "p1", "GET", "Observation").requiredScope()).isEqualTo("patient/Observation.s");
        assertThat(decide("user/Patient.r", null, "GET", "Observation/o1").requiredScope()).isEqualTo("user/Observation.r");
    }

    @Test
    void nonJsonFormatsAreRefusedOnlyWhenTheResponseIsChecked() {
        assertThat(decide("patient/Patient.r", "p1", "GET", "Patient/p1?_format=xml").status()).isEqualTo(406);
        assertThat(decide("patient/Patient.r", "p1", "GET", "Patient/p1?_format=application/fhir%2Bjson").allowed()).isTrue();
        assertThat(decide("user/Patient.r", null, "GET", "Patient/p1?_format=xml").allowed()).isTrue();
    }

    // ------------------------------------------------------------------ restrictions

    @Test
    void restrictionsAreAddedToSearches() {
        SmartPolicy.Decision d = decide("patient/Observation.rs?category=" + LAB.replace("|", "%7C"), "p1", "GET", "Observation?code=x");
        assertThat(d.confinement()).containsExactly(new Param("patient", "Patient/p1"), new Param("category", LAB));
        SmartPolicy.Decision two = decide("user/Observation.rs?category=laboratory user/Observation.rs?category=vital-signs", null, "GET", "Observation");
        assertThat(two.confinement()).containsExactly(new Param("category", "laboratory,vital-signs"));
        assertThat(two.checkResponse()).isTrue();
        SmartPolicy.Decision both = decide("user/Observation.rs?category=laboratory user/Observation.rs", null, "GET", "Observation");
        assertThat(both.confinement()).isEmpty();
        assertThat(both.checkResponse()).isFalse();
        SmartPolicy.Decision mixed = decide("user/Observation.rs?category=laboratory user/Observation.rs?status=final", null, "GET", "Observation");
        assertThat(mixed.allowed()).isFalse();
    }

    @Test
    void restrictionsTheGatewayCannotCheckGrantNothing() {
        SmartPolicy.Decision d = decide("patient/Observation.rs?date=ge2020", "p1", "GET", "Observation");
        assertThat(d.allowed()).isFalse();
        assertThat(d.message()).contains("patient/Observation.rs?date=ge2020");
        assertThat(decide("patient/Observation.rs?date=ge2020 patient/Observation.rs", "p1", "GET", "Observation").allowed()).isTrue();
    }

    @Test
    void restrictedScopesUpdateOnlyAfterTheStoredResourceIsCheckedAndNeverReadHistory() {
        SmartPolicy.Decision update = decide("user/Observation.rus?category=laboratory", null, "PUT", "Observation/o1",
                FhirUpstreamJson.observation("o1", "p1", "laboratory"));
        assertThat(update.allowed()).as(update.message()).isTrue();
        assertThat(update.checkStored()).isTrue();
        assertThat(decide("user/Observation.rus?category=laboratory", null, "PUT", "Observation/o1",
                FhirUpstreamJson.observation("o1", "p1", "vital-signs")).status()).isEqualTo(403);
        assertThat(decide("user/Observation.rs?category=laboratory", null, "GET", "Observation/_history").allowed()).isFalse();
    }

    // ------------------------------------------------------------------ writes and batches

    @Test
    void createsUnderPatientScopesMustBelongToThePatient() {
        assertThat(decide("patient/Observation.c", "p1", "POST", "Observation", FhirUpstreamJson.observation("x", "p1", "laboratory")).allowed()).isTrue();
        assertThat(decide("patient/Observation.c", "p1", "POST", "Observation", FhirUpstreamJson.observation("x", "p2", "laboratory")).status()).isEqualTo(403);
        assertThat(decide("patient/Observation.c", "p1", "POST", "Observation", "{\"resourceType\":\"Observation\"}").status()).isEqualTo(403);
        assertThat(decide("patient/Observation.c", "p1", "POST", "Observation", "{\"resourceType\":\"Condition\"}").status()).isEqualTo(400);
        assertThat(decide("patient/Observation.c", "p1", "POST", "Observation", null).status()).isEqualTo(400);
        assertThat(decide("patient/Patient.c", "p1", "POST", "Patient", "{\"resourceType\":\"Patient\"}").status()).isEqualTo(403);
        assertThat(decide("patient/Observation.c?category=laboratory", "p1", "POST", "Observation",
                FhirUpstreamJson.observation("x", "p1", "vital-signs")).status()).isEqualTo(403);
    }

    @Test
    void patientUpdatesAndDeletesOfOtherTypesAreDecidedOnTheStoredResource() {
        SmartPolicy.Decision delete = decide("patient/Observation.d", "p1", "DELETE", "Observation/o1");
        assertThat(delete.allowed()).isTrue();
        assertThat(delete.checkStored()).isTrue();
        SmartPolicy.Decision update = decide("patient/Observation.u", "p1", "PUT", "Observation/o1", FhirUpstreamJson.observation("o1", "p1", "laboratory"));
        assertThat(update.allowed()).isTrue();
        assertThat(update.checkStored()).isTrue();
        assertThat(decide("patient/Observation.u", "p1", "PUT", "Observation/o1", FhirUpstreamJson.observation("o1", "p2", "laboratory")).status())
                .as("moving it to another patient").isEqualTo(403);
        assertThat(decide("patient/Observation.u", "p1", "PUT", "Observation/o1", FhirUpstreamJson.observation("o9", "p1", "laboratory")).status())
                .isEqualTo(400);
        assertThat(decide("user/Observation.d", null, "DELETE", "Observation/o1").checkStored()).isFalse();

        FhirRequest del = FhirRequest.parse("DELETE", "Observation/o1", null, null, null, null);
        FhirRequest put = FhirRequest.parse("PUT", "Observation/o1", null, null, json(FhirUpstreamJson.observation("o1", "p1", "laboratory")), null);
        SmartGrant grant = grant("patient/Observation.ud", "p1");
        assertThat(POLICY.checkStored(grant, del, json(FhirUpstreamJson.observation("o1", "p1", "laboratory")))).isNull();
        assertThat(POLICY.checkStored(grant, put, json(FhirUpstreamJson.observation("o1", "p1", "laboratory")))).isNull();
        assertThat(POLICY.checkStored(grant, del, json(FhirUpstreamJson.observation("o1", "p2", "laboratory")))).isNotNull();
        assertThat(POLICY.checkStored(grant, put, json(FhirUpstreamJson.observation("o1", "p2", "laboratory")))).isNotNull();
        assertThat(POLICY.checkStored(grant, del, json(FhirUpstreamJson.observation("o2", "p1", "laboratory")))).as("another id").isNotNull();
        assertThat(POLICY.checkStored(grant, del, json("{\"resourceType\":\"Condition\",\"id\":\"o1\"}"))).isNotNull();
        assertThat(POLICY.checkStored(grant("patient/Observation.u", "p1"), del, json(FhirUpstreamJson.observation("o1", "p1", "laboratory"))))
                .as("u does not delete").isNotNull();
        String batch = "{\"resourceType\":\"Bundle\",\"type\":\"batch\",\"entry\":[{\"request\":{\"method\":\"DELETE\",\"url\":\"Observation/o1\"}}]}";
        assertThat(decide("patient/Observation.d", "p1", "POST", "", batch).status()).isEqualTo(403);
    }

    @Test
    void patientMayUpdateOnlyTheirOwnPatient() {
        assertThat(decide("patient/Patient.u", "p1", "PUT", "Patient/p1", "{\"resourceType\":\"Patient\",\"id\":\"p1\"}").allowed()).isTrue();
        assertThat(decide("patient/Patient.u", "p1", "PUT", "Patient/p1", "{\"resourceType\":\"Patient\",\"id\":\"p2\"}").status()).isEqualTo(400);
        assertThat(decide("patient/Patient.u", "p1", "PUT", "Patient/p2", "{\"resourceType\":\"Patient\",\"id\":\"p2\"}").status()).isEqualTo(403);
        assertThat(decide("patient/Patient.d", "p1", "DELETE", "Patient/p1").allowed()).isTrue();
    }

    @Test
    void batchEntriesAreDecidedOneByOneAllOrNothing() {
        String ok = "{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":[{\"request\":{\"method\":\"GET\",\"url\":\"Patient/p1\"}},"
                + "{\"request\":{\"method\":\"POST\",\"url\":\"Observation\"},\"resource\":" + FhirUpstreamJson.observation("x", "p1", "laboratory") + "}]}";
        SmartPolicy.Decision d = decide("patient/Patient.r patient/Observation.c", "p1", "POST", "", ok);
        assertThat(d.allowed()).as(d.message()).isTrue();
        assertThat(d.checkResponse()).isTrue();
        for (String entry : List.of("{\"request\":{\"method\":\"GET\",\"url\":\"Patient/p2\"}}",
                "{\"request\":{\"method\":\"GET\",\"url\":\"Patient/p1/../p2\"}}",
                "{\"request\":{\"method\":\"GET\",\"url\":\"/Patient/p2\"}}",
                "{\"request\":{\"method\":\"GET\",\"url\":\"http://other/fhir/Patient/p2\"}}",
                "{\"request\":{\"method\":\"GET\",\"url\":\"Observation?patient=p2\"}}",
                "{\"request\":{\"method\":\"GET\",\"url\":\"Observation/o9/_history\"}}",
                "{\"request\":{\"method\":\"POST\",\"url\":\"Observation\"},\"resource\":" + FhirUpstreamJson.observation("x", "p2", "laboratory") + "}",
                "{\"request\":{\"method\":\"POST\",\"url\":\"\"},\"resource\":{\"resourceType\":\"Bundle\",\"type\":\"batch\"}}",
                "{\"request\":{\"method\":\"HEAD\",\"url\":\"Patient/p1\"}}")) {
            String bundle = "{\"resourceType\":\"Bundle\",\"type\":\"batch\",\"entry\":[{\"request\":{\"method\":\"GET\",\"url\":\"Patient/p1\"}}," + entry + "]}";
            SmartPolicy.Decision refused = decide("patient/Patient.r patient/Observation.c", "p1", "POST", "", bundle);
            assertThat(refused.allowed()).as(entry).isFalse();
            assertThat(refused.message()).as(entry).startsWith("entry 1 ");
        }
        assertThat(decide("user/*.cruds", null, "POST", "", "{\"resourceType\":\"Bundle\",\"type\":\"document\"}").status()).isEqualTo(400);
        assertThat(decide("user/*.cruds", null, "POST", "", "{\"resourceType\":\"Patient\"}").status()).isEqualTo(400);
    }

    // ------------------------------------------------------------------ responses

    static String check(String scopes, String patient, String body) {
        SmartPolicy.Decision read = new SmartPolicy.Decision(0, null, null, null, List.of(), true, false, false);
        return POLICY.checkResponse(grant(scopes, patient), json(body), read);
    }

    @Test
    void responsesMustHoldOnlyThePatientsResources() {
        String p1 = FhirUpstreamJson.observation("o1", "p1", "laboratory");
        String p2 = FhirUpstreamJson.observation("o2", "p2", "laboratory");
        assertThat(check("patient/Observation.rs", "p1", p1)).isNull();
        assertThat(check("patient/Observation.rs", "p1", p2)).contains("Observation");
        assertThat(check("patient/Observation.rs", "p1", bundle("searchset", p1, p1))).isNull();
        assertThat(check("patient/Observation.rs", "p1", bundle("searchset", p1, p2))).isNotNull();
        assertThat(check("patient/Observation.rs", "p1", bundle("history", p2))).isNotNull();
        assertThat(check("patient/Observation.rs", "p1", bundle("searchset", p1, "{\"resourceType\":\"Patient\",\"id\":\"p1\"}"))).isNotNull();
        assertThat(check("patient/Observation.rs patient/Patient.r", "p1", bundle("searchset", p1, "{\"resourceType\":\"Patient\",\"id\":\"p1\"}"))).isNull();
        assertThat(check("patient/Observation.rs patient/Patient.r", "p1", bundle("searchset", p1, "{\"resourceType\":\"Patient\",\"id\":\"p2\"}"))).isNotNull();
        assertThat(check("patient/*.rs", "p1", "{\"resourceType\":\"Practitioner\",\"id\":\"pr1\"}")).isNotNull();
        assertThat(check("patient/*.rs", "p1", "{\"resourceType\":\"Group\",\"id\":\"g\",\"member\":[{\"entity\":{\"reference\":\"Patient/p1\"}}]}")).isNotNull();
        assertThat(check("patient/*.rs", "p1", "{\"resourceType\":\"OperationOutcome\"}")).isNull();
        assertThat(check("patient/*.rs", "p1", "{\"id\":\"x\"}")).isNotNull();
        assertThat(check("patient/*.rs", "p1", "[]")).isNotNull();
    }

    @Test
    void aResourceNamingAnotherPatientAnywhereInItsCompartmentIsNotOurs() {
        assertThat(check("patient/*.rs", "p1", "{\"resourceType\":\"Observation\",\"subject\":{\"reference\":\"Patient/p2\"},"
                + "\"performer\":[{\"reference\":\"Patient/p1\"}]}")).isNotNull();
        assertThat(check("patient/*.rs", "p1", "{\"resourceType\":\"Observation\",\"subject\":{\"reference\":\"Group/g\"},"
                + "\"performer\":[{\"reference\":\"Patient/p1\"}]}")).isNull();
        assertThat(check("patient/*.rs", "p1", "{\"resourceType\":\"Observation\",\"subject\":{\"reference\":\"Patient/p1/_history/3\"}}")).isNull();
        assertThat(check("patient/*.rs", "p1", "{\"resourceType\":\"Observation\",\"subject\":{\"reference\":\"http://localhost:8000/fhir/Patient/p1\"}}")).isNull();
        assertThat(check("patient/*.rs", "p1", "{\"resourceType\":\"Observation\",\"subject\":{\"reference\":\"http://evil.example/fhir/Patient/p1\"}}")).isNotNull();
        assertThat(check("patient/*.rs", "p1", "{\"resourceType\":\"Observation\",\"subject\":{\"display\":\"p1\"}}")).isNotNull();
        assertThat(check("patient/*.rs", "p1", "{\"resourceType\":\"Procedure\",\"subject\":{\"reference\":\"Patient/p1\"},"
                + "\"performer\":[{\"actor\":{\"reference\":\"Patient/p2\"}}]}")).isNotNull();
        assertThat(check("patient/*.rs", "p1", "{\"resourceType\":\"Appointment\",\"participant\":[{\"actor\":{\"reference\":\"Patient/p1\"}},"
                + "{\"actor\":{\"reference\":\"Practitioner/x\"}}]}")).isNull();
    }

    @Test
    void containedResourcesAreChecked() {
        String contained = "{\"resourceType\":\"DiagnosticReport\",\"subject\":{\"reference\":\"Patient/p1\"},\"contained\":[%s]}";
        assertThat(check("patient/*.rs", "p1", contained.formatted("{\"resourceType\":\"Medication\",\"id\":\"m\"}"))).isNull();
        assertThat(check("patient/*.rs", "p1", contained.formatted(FhirUpstreamJson.observation("o", "p2", "laboratory")))).isNotNull();
        assertThat(check("patient/*.rs", "p1", contained.formatted("{\"resourceType\":\"Patient\",\"id\":\"p1\"}"))).isNotNull();
        assertThat(check("patient/DiagnosticReport.rs", "p1", contained.formatted(FhirUpstreamJson.observation("o", "p1", "laboratory")))).isNotNull();
    }

    @Test
    void batchResponsesAreCheckedEntryByEntryIncludingNestedSearchsets() {
        String p2 = FhirUpstreamJson.observation("o2", "p2", "laboratory");
        String nested = "{\"resourceType\":\"Bundle\",\"type\":\"batch-response\",\"entry\":[{\"resource\":" + bundle("searchset", p2) + "}]}";
        assertThat(check("patient/*.rs", "p1", nested)).isNotNull();
        String nestedOk = "{\"resourceType\":\"Bundle\",\"type\":\"batch-response\",\"entry\":[{\"resource\":"
                + bundle("searchset", FhirUpstreamJson.observation("o1", "p1", "laboratory")) + "}]}";
        assertThat(check("patient/*.rs", "p1", nestedOk)).isNull();
        // a stored Bundle returned in a search is a resource, not a container
        assertThat(check("patient/*.rs", "p1", bundle("searchset", bundle("collection")))).isNotNull();
    }

    @Test
    void restrictionsAreCheckedOnEveryResource() {
        String lab = FhirUpstreamJson.observation("o1", "p1", "laboratory");
        String vitals = FhirUpstreamJson.observation("o3", "p1", "vital-signs");
        String scope = "patient/Observation.rs?category=" + LAB.replace("|", "%7C");
        assertThat(check(scope, "p1", lab)).isNull();
        assertThat(check(scope, "p1", vitals)).isNotNull();
        assertThat(check("patient/Observation.rs?category=laboratory", "p1", lab)).isNull();
        assertThat(check("patient/Observation.rs?category=other-system%7Claboratory", "p1", lab)).isNotNull();
        assertThat(check("patient/Observation.rs?category=%7Claboratory", "p1", lab)).isNotNull(); // "|code": no system
        assertThat(check("patient/Observation.rs?category=vital-signs,laboratory", "p1", lab)).isNull();
        assertThat(check("patient/Observation.rs?status=final", "p1", lab)).isNull();
        assertThat(check("patient/Observation.rs?status=preliminary", "p1", lab)).isNotNull();
        assertThat(check("patient/Observation.rs?code=http://loinc.org%7C1234-5", "p1", lab)).isNull();
        assertThat(check("patient/Observation.rs?category=laboratory&status=final", "p1", lab)).isNull();
        assertThat(check("patient/Observation.rs?category=laboratory&status=amended", "p1", lab)).isNotNull();
        assertThat(check("user/Observation.rs?category=laboratory", null, FhirUpstreamJson.observation("o2", "p2", "laboratory"))).isNull();
        assertThat(check("user/Observation.rs?category=laboratory", null, vitals)).isNotNull();
    }

    static String bundle(String type, String... resources) {
        StringBuilder b = new StringBuilder("{\"resourceType\":\"Bundle\",\"type\":\"" + type + "\",\"entry\":[");
        for (int i = 0; i < resources.length; i++) {
            if (i > 0) b.append(',');
            b.append("{\"resource\":").append(resources[i]).append('}');
        }
        return b.append("]}").toString();
    }

    /** The same Observation shape as the gateway tests' FHIR server. */
    static final class FhirUpstreamJson {
        static String observation(String id, String patient, String category) {
            return dev.latch.gateway.FhirUpstream.observation(id, patient, category, null);
        }
    }
}
