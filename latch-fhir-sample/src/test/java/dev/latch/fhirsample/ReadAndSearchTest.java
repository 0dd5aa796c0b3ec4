package dev.latch.fhirsample;

import static dev.latch.fhirsample.Http.includes;
import static dev.latch.fhirsample.Http.matches;
import static org.assertj.core.api.Assertions.assertThat;

import dev.latch.fhirsample.Http.Answer;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CapabilityStatement;
import org.hl7.fhir.r4.model.CapabilityStatement.CapabilityStatementRestResourceComponent;
import org.hl7.fhir.r4.model.CapabilityStatement.CapabilityStatementRestResourceSearchParamComponent;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Patient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Reads and searches of the sample data, over plain HTTP; nothing here writes. */
class ReadAndSearchTest {

    private static final String LAB = enc(SampleData.OBSERVATION_CATEGORY + "|laboratory");

    private static SampleFhirServer server;
    private static Http http;

    @BeforeAll
    static void start() throws Exception {
        server = new SampleFhirServer("127.0.0.1", 0).loadSampleData().start();
        http = new Http(server.baseUrl());
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    @Test
    void baseUrlIsTheFreePortAndFhir() {
        assertThat(server.baseUrl()).isEqualTo("http://127.0.0.1:" + server.port() + "/fhir");
        assertThat(server.port()).isPositive();
    }

    @Test
    void readsAPatient() {
        Answer answer = http.get("Patient/p1");
        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.header("ETag")).isEqualTo("W/\"1\"");
        Patient amy = answer.as(Patient.class);
        assertThat(amy.getIdElement().getIdPart()).isEqualTo("p1");
        assertThat(amy.getNameFirstRep().getNameAsSingleString()).isEqualTo("Amy Shaw");
        assertThat(amy.getIdentifierFirstRep().getValue()).isEqualTo("MRN-1001");
        assertThat(amy.getGeneralPractitionerFirstRep().getReference()).isEqualTo("Practitioner/pr1");
    }

    @Test
    void vreadsAVersion() {
        Answer answer = http.get("Observation/o-p2-3/_history/1");
        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.as(org.hl7.fhir.r4.model.Observation.class).getCode().getCodingFirstRep().getCode()).isEqualTo("4548-4");
        assertThat(http.get("Observation/o-p2-3/_history/2").status()).isEqualTo(404);
    }

    @Test
    void unknownResourceIs404WithAnOperationOutcome() {
        Answer answer = http.get("Patient/nobody");
        assertThat(answer.status()).isEqualTo(404);
        assertThat(answer.as(OperationOutcome.class).getIssueFirstRep().getDiagnostics()).contains("nobody");
        assertThat(http.get("Basic/x").status()).isEqualTo(404);
    }

    @Test
    void metadataIsACapabilityStatementOfTheProvidersAndTheirParameters() {
        CapabilityStatement capabilities = http.get("metadata").as(CapabilityStatement.class);
        assertThat(capabilities.getFhirVersion().toCode()).isEqualTo("4.0.1");
        var rest = capabilities.getRestFirstRep();
        assertThat(rest.getResource()).extracting(r -> r.getType()).contains("Patient", "Observation", "Condition", "Encounter",
                "Practitioner", "MedicationRequest", "AllergyIntolerance");
        CapabilityStatementRestResourceComponent observation = rest.getResource().stream()
                .filter(r -> r.getType().equals("Observation")).findFirst().orElseThrow();
        assertThat(observation.getSearchParam()).extracting(CapabilityStatementRestResourceSearchParamComponent::getName)
                .contains("patient", "subject", "category", "code", "encounter", "_id");
        assertThat(observation.getSearchInclude()).extracting(i -> i.getValue()).contains("Observation:patient", "Observation:encounter");
        assertThat(observation.getInteraction()).extracting(i -> i.getCode().toCode())
                .contains("read", "vread", "create", "update", "patch", "delete", "history-instance", "history-type", "search-type");
        assertThat(rest.getInteraction()).extracting(i -> i.getCode().toCode()).contains("transaction");
    }

    @Test
    void searchesPatientsByNameFamilyGivenIdentifierBirthdateGender() {
        assertThat(matches(http.get("Patient").bundle())).containsExactly("Patient/p1", "Patient/p2", "Patient/p3");
        assertThat(matches(http.get("Patient?name=amy").bundle())).containsExactly("Patient/p1");
        assertThat(matches(http.get("Patient?name=SHA").bundle())).containsExactly("Patient/p1");
        assertThat(matches(http.get("Patient?family=Jones").bundle())).containsExactly("Patient/p2");
        assertThat(matches(http.get("Patient?given=carla").bundle())).containsExactly("Patient/p3");
        assertThat(matches(http.get("Patient?given=amy&family=jones").bundle())).isEmpty();
        assertThat(matches(http.get("Patient?name=amy,bob").bundle())).containsExactly("Patient/p1", "Patient/p2");
        assertThat(matches(http.get("Patient?name:exact=Amy").bundle())).containsExactly("Patient/p1");
        assertThat(matches(http.get("Patient?name:exact=amy").bundle())).isEmpty();
        assertThat(matches(http.get("Patient?_id=p1,p3").bundle())).containsExactly("Patient/p1", "Patient/p3");
        assertThat(matches(http.get("Patient?identifier=" + enc(SampleData.MRN + "|MRN-1002")).bundle())).containsExactly("Patient/p2");
        assertThat(matches(http.get("Patient?identifier=MRN-1003").bundle())).containsExactly("Patient/p3");
        assertThat(matches(http.get("Patient?identifier=" + enc("urn:other|MRN-1003")).bundle())).isEmpty();
        assertThat(matches(http.get("Patient?birthdate=ge1988-01-01").bundle())).containsExactly("Patient/p3");
        assertThat(matches(http.get("Patient?birthdate=1975-06-03").bundle())).containsExactly("Patient/p2");
        assertThat(matches(http.get("Patient?gender=female").bundle())).containsExactly("Patient/p1", "Patient/p3");
    }

    @Test
    void aSearchBundleHasTotalSelfLinkAndFullUrls() {
        Bundle bundle = http.get("Patient?family=Diaz").bundle();
        assertThat(bundle.getType()).isEqualTo(Bundle.BundleType.SEARCHSET);
        assertThat(bundle.getTotal()).isEqualTo(1);
        assertThat(bundle.getLink("self").getUrl()).startsWith(server.baseUrl() + "/Patient?");
        assertThat(bundle.getEntryFirstRep().getFullUrl()).isEqualTo(server.baseUrl() + "/Patient/p3");
    }

    @Test
    void searchesObservationsByPatientAndSubjectInBothForms() {
        var p1 = new String[] {"Observation/o-p1-1", "Observation/o-p1-2", "Observation/o-p1-3", "Observation/o-p1-4"};
        assertThat(matches(http.get("Observation?patient=p1").bundle())).containsExactly(p1);
        assertThat(matches(http.get("Observation?patient=Patient/p1").bundle())).containsExactly(p1);
        assertThat(matches(http.get("Observation?subject=Patient/p1").bundle())).containsExactly(p1);
        assertThat(matches(http.get("Observation?subject=p1").bundle())).containsExactly(p1);
        assertThat(matches(http.get("Observation?subject:Patient=p1").bundle())).containsExactly(p1);
        assertThat(matches(http.get("Observation?patient=" + enc(server.baseUrl() + "/Patient/p1")).bundle())).containsExactly(p1);
        assertThat(matches(http.get("Observation?subject=Group/p1").bundle())).isEmpty();
        assertThat(matches(http.get("Observation?patient=p2,p3").bundle())).hasSize(8);
        assertThat(http.get("Observation").bundle().getTotal()).isEqualTo(12);
    }

    @Test
    void searchesObservationsByCategoryWithAndWithoutSystem() {
        assertThat(matches(http.get("Observation?category=laboratory").bundle())).containsExactly(
                "Observation/o-p1-3", "Observation/o-p1-4", "Observation/o-p2-3", "Observation/o-p2-4",
                "Observation/o-p3-3", "Observation/o-p3-4");
        assertThat(matches(http.get("Observation?patient=p1&category=" + LAB).bundle()))
                .containsExactly("Observation/o-p1-3", "Observation/o-p1-4");
        assertThat(matches(http.get("Observation?patient=p1&category=vital-signs").bundle()))
                .containsExactly("Observation/o-p1-1", "Observation/o-p1-2");
        assertThat(matches(http.get("Observation?category=" + enc(SampleData.OBSERVATION_CATEGORY + "|")).bundle())).hasSize(12);
        assertThat(matches(http.get("Observation?category=" + enc("http://example.org/other|laboratory")).bundle())).isEmpty();
        assertThat(matches(http.get("Observation?category=" + enc("|laboratory")).bundle())).isEmpty(); // the codes have a system
        assertThat(matches(http.get("Observation?patient=p2&category=laboratory,vital-signs").bundle())).hasSize(4);
    }

    @Test
    void searchesObservationsByCodeEncounterDateStatus() {
        assertThat(matches(http.get("Observation?code=" + enc("http://loinc.org|8867-4")).bundle()))
                .containsExactly("Observation/o-p1-1", "Observation/o-p2-1", "Observation/o-p3-1");
        assertThat(matches(http.get("Observation?code=2339-0&patient=p3").bundle())).containsExactly("Observation/o-p3-4");
        assertThat(matches(http.get("Observation?encounter=Encounter/e-p1-1").bundle()))
                .containsExactly("Observation/o-p1-1", "Observation/o-p1-2");
        assertThat(matches(http.get("Observation?date=ge2024-03-01").bundle())).hasSize(4);
        assertThat(matches(http.get("Observation?status=final").bundle())).hasSize(12);
        assertThat(matches(http.get("Observation?status=preliminary").bundle())).isEmpty();
    }

    @Test
    void searchesConditionsEncountersPractitionersAndTheOtherTypes() {
        assertThat(matches(http.get("Condition?patient=p1").bundle())).containsExactly("Condition/c-p1-1", "Condition/c-p1-2");
        assertThat(matches(http.get("Condition?patient=p1&category="
                + enc(SampleData.CONDITION_CATEGORY + "|problem-list-item")).bundle())).containsExactly("Condition/c-p1-1");
        assertThat(matches(http.get("Condition?code=" + enc(SampleData.SNOMED + "|195967001")).bundle())).containsExactly("Condition/c-p2-1");
        assertThat(matches(http.get("Condition?encounter=e-p3-2").bundle())).containsExactly("Condition/c-p3-2");
        assertThat(matches(http.get("Encounter?patient=p2").bundle())).containsExactly("Encounter/e-p2-1", "Encounter/e-p2-2");
        assertThat(matches(http.get("Encounter?subject=Patient/p3&class=AMB&status=finished").bundle())).hasSize(2);
        assertThat(matches(http.get("Encounter?date=ge2024-02-15&date=le2024-02-28").bundle())).containsExactly("Encounter/e-p2-2");
        assertThat(matches(http.get("Practitioner?name=okafor").bundle())).containsExactly("Practitioner/pr1");
        assertThat(matches(http.get("Practitioner?identifier=1234567893").bundle())).containsExactly("Practitioner/pr1");
        assertThat(matches(http.get("MedicationRequest?patient=p1").bundle())).containsExactly("MedicationRequest/m-p1-1");
        assertThat(matches(http.get("MedicationRequest?patient=p2").bundle())).isEmpty();
        assertThat(matches(http.get("AllergyIntolerance?patient=Patient/p2").bundle())).containsExactly("AllergyIntolerance/a-p2-1");
        assertThat(matches(http.get("Procedure").bundle())).isEmpty();
    }

    @Test
    void includesWhatTheMatchesReference() {
        Bundle bundle = http.get("Observation?patient=p2&category=" + LAB + "&_include=Observation:patient").bundle();
        assertThat(matches(bundle)).containsExactly("Observation/o-p2-3", "Observation/o-p2-4");
        assertThat(includes(bundle)).containsExactly("Patient/p2");
        assertThat(bundle.getTotal()).isEqualTo(2);

        bundle = http.get("Observation?patient=p2&_include=Observation:subject&_include=Observation:encounter").bundle();
        assertThat(matches(bundle)).hasSize(4);
        assertThat(includes(bundle)).containsExactlyInAnyOrder("Patient/p2", "Encounter/e-p2-1", "Encounter/e-p2-2");

        bundle = http.get("Encounter?subject=p3&_include=Encounter:subject").bundle();
        assertThat(matches(bundle)).containsExactly("Encounter/e-p3-1", "Encounter/e-p3-2");
        assertThat(includes(bundle)).containsExactly("Patient/p3");

        bundle = http.get("Observation?_id=o-p1-1&_include=*").bundle();
        assertThat(includes(bundle)).containsExactlyInAnyOrder("Patient/p1", "Encounter/e-p1-1", "Practitioner/pr1");

        // an _include the search does not allow is refused
        assertThat(http.get("Observation?patient=p1&_include=Observation:nothing").status()).isEqualTo(400);
    }

    @Test
    void revincludesWhatReferencesTheMatches() {
        Bundle bundle = http.get("Patient?_id=p1&_revinclude=Observation:subject").bundle();
        assertThat(matches(bundle)).containsExactly("Patient/p1");
        assertThat(includes(bundle)).containsExactly("Observation/o-p1-1", "Observation/o-p1-2", "Observation/o-p1-3", "Observation/o-p1-4");
        assertThat(bundle.getTotal()).isEqualTo(1);

        bundle = http.get("Patient?family=Jones&_revinclude=Condition:patient&_revinclude=Encounter:patient").bundle();
        assertThat(matches(bundle)).containsExactly("Patient/p2");
        assertThat(includes(bundle)).containsExactly("Condition/c-p2-1", "Condition/c-p2-2", "Encounter/e-p2-1", "Encounter/e-p2-2");

        bundle = http.get("Practitioner?_id=pr1&_revinclude=Patient:general-practitioner").bundle();
        assertThat(includes(bundle)).containsExactly("Patient/p1", "Patient/p2", "Patient/p3");

        assertThat(http.get("Patient?_id=p1&_revinclude=Observation:nothing").status()).isEqualTo(400);
    }

    @Test
    void searchesByPostToSearch() {
        Answer answer = http.post("Observation/_search", "application/x-www-form-urlencoded",
                "patient=p3&category=vital-signs&_include=Observation:patient");
        assertThat(answer.status()).isEqualTo(200);
        Bundle bundle = answer.bundle();
        assertThat(matches(bundle)).containsExactly("Observation/o-p3-1", "Observation/o-p3-2");
        assertThat(includes(bundle)).containsExactly("Patient/p3");

        bundle = http.post("Patient/_search?gender=female", "application/x-www-form-urlencoded", "family=diaz").bundle();
        assertThat(matches(bundle)).containsExactly("Patient/p3");
    }

    @Test
    void countPagesTheMatchesAndTheNextLinkGivesTheRest() {
        Bundle first = http.get("Observation?patient=p1&_count=3&_include=Observation:patient").bundle();
        assertThat(first.getTotal()).isEqualTo(4);
        assertThat(matches(first)).containsExactly("Observation/o-p1-1", "Observation/o-p1-2", "Observation/o-p1-3");
        assertThat(includes(first)).containsExactly("Patient/p1");
        String next = first.getLink("next").getUrl();
        assertThat(next).startsWith(server.baseUrl());

        Bundle second = http.get(next).bundle();
        assertThat(matches(second)).containsExactly("Observation/o-p1-4");
        assertThat(includes(second)).containsExactly("Patient/p1");
        assertThat(second.getLink("next")).isNull();
    }

    @Test
    void patientEverythingIsThePatientAndWhatPointsToThem() {
        Bundle bundle = http.get("Patient/p1/$everything").bundle();
        assertThat(bundle.getEntry()).extracting(e -> e.getResource().getIdElement().toUnqualifiedVersionless().getValue())
                .containsExactly("Patient/p1", "Observation/o-p1-1", "Observation/o-p1-2", "Observation/o-p1-3", "Observation/o-p1-4",
                        "Condition/c-p1-1", "Condition/c-p1-2", "Encounter/e-p1-1", "Encounter/e-p1-2", "MedicationRequest/m-p1-1");
        assertThat(http.get("Patient/nobody/$everything").status()).isEqualTo(404);
    }

    @Test
    void unknownSearchParametersAndChainsAre400() {
        assertThat(http.get("Patient?nonsense=1").status()).isEqualTo(400);
        assertThat(http.get("Observation?subject.name=amy").status()).isEqualTo(400);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
