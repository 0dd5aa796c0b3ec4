package dev.latch.fhirsample;

import static dev.latch.fhirsample.Http.matches;
import static org.assertj.core.api.Assertions.assertThat;

import dev.latch.fhirsample.Http.Answer;
import java.nio.charset.StandardCharsets;
import org.hl7.fhir.r4.model.Binary;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Bundle.BundleType;
import org.hl7.fhir.r4.model.Bundle.HTTPVerb;
import org.hl7.fhir.r4.model.HumanName;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Create, update, patch, delete, history, batch and transaction; each test on a fresh server. */
class WriteTest {

    private SampleFhirServer server;
    private Http http;

    @BeforeEach
    void start() throws Exception {
        server = new SampleFhirServer("127.0.0.1", 0).loadSampleData().start();
        http = new Http(server.baseUrl());
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
    }

    @Test
    void createsWithAServerId() {
        Answer answer = http.post("Patient", new Patient().addName(new HumanName().setFamily("Ng").addGiven("Dee")));
        assertThat(answer.status()).isEqualTo(201);
        String location = answer.header("Location");
        assertThat(location).matches(server.baseUrl().replace(".", "\\.") + "/Patient/\\d+/_history/1");
        Patient created = answer.as(Patient.class);
        assertThat(created.getMeta().getVersionId()).isEqualTo("1");

        String id = created.getIdElement().getIdPart();
        assertThat(http.get("Patient/" + id).as(Patient.class).getNameFirstRep().getFamily()).isEqualTo("Ng");
        assertThat(matches(http.get("Patient?family=ng").bundle())).containsExactly("Patient/" + id);
        assertThat(http.get("Patient").bundle().getTotal()).isEqualTo(4);
    }

    @Test
    void updatesAndKeepsEveryVersion() {
        Patient amy = http.get("Patient/p1").as(Patient.class);
        amy.getNameFirstRep().setFamily("Shaw-Lee");
        Answer answer = http.put("Patient/p1", amy, null);
        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.header("ETag")).isEqualTo("W/\"2\"");

        assertThat(http.get("Patient/p1").as(Patient.class).getNameFirstRep().getFamily()).isEqualTo("Shaw-Lee");
        assertThat(http.get("Patient/p1/_history/1").as(Patient.class).getNameFirstRep().getFamily()).isEqualTo("Shaw");
        assertThat(http.get("Patient/p1/_history/2").as(Patient.class).getMeta().getVersionId()).isEqualTo("2");
        assertThat(matches(http.get("Patient?family=shaw-lee").bundle())).containsExactly("Patient/p1");
    }

    @Test
    void updateCreatesWithTheClientsIdAndRefusesAnotherId() {
        Patient dee = new Patient().addName(new HumanName().setFamily("Ng"));
        dee.setId("p9");
        Answer answer = http.put("Patient/p9", dee, null);
        assertThat(answer.status()).isEqualTo(201);
        assertThat(http.get("Patient/p9").as(Patient.class).getNameFirstRep().getFamily()).isEqualTo("Ng");

        dee.setId("p8");
        assertThat(http.put("Patient/p9", dee, null).status()).isEqualTo(400);
    }

    @Test
    void ifMatchMustBeTheCurrentVersion() {
        Patient bob = http.get("Patient/p2").as(Patient.class);
        bob.setGender(null);
        assertThat(http.put("Patient/p2", bob, "W/\"7\"").status()).isEqualTo(412);
        assertThat(http.put("Patient/p2", bob, "W/\"1\"").status()).isEqualTo(200);
        assertThat(http.put("Patient/p2", bob, "W/\"1\"").status()).isEqualTo(412);
        assertThat(http.get("Patient/p2").as(Patient.class).getMeta().getVersionId()).isEqualTo("2");
    }

    @Test
    void patchesWithJsonPatch() {
        Answer answer = http.patch("Patient/p3", """
                [{"op": "test", "path": "/birthDate", "value": "1990-11-11"},
                 {"op": "replace", "path": "/birthDate", "value": "1990-11-12"},
                 {"op": "add", "path": "/name/0/given/-", "value": "Maria"},
                 {"op": "remove", "path": "/generalPractitioner"}]""");
        assertThat(answer.status()).isEqualTo(200);
        Patient carla = http.get("Patient/p3").as(Patient.class);
        assertThat(carla.getBirthDateElement().getValueAsString()).isEqualTo("1990-11-12");
        assertThat(carla.getNameFirstRep().getGiven()).extracting(g -> g.getValue()).containsExactly("Carla", "Maria");
        assertThat(carla.hasGeneralPractitioner()).isFalse();
        assertThat(carla.getMeta().getVersionId()).isEqualTo("2");
        assertThat(matches(http.get("Patient?given=maria").bundle())).containsExactly("Patient/p3");
    }

    @Test
    void aPatchThatDoesNotApplyIs422AndChangesNothing() {
        Answer answer = http.patch("Patient/p3", """
                [{"op": "replace", "path": "/gender", "value": "male"},
                 {"op": "test", "path": "/birthDate", "value": "2001-01-01"}]""");
        assertThat(answer.status()).isEqualTo(422);
        assertThat(answer.as(OperationOutcome.class).getIssueFirstRep().getDiagnostics()).contains("test failed");
        assertThat(http.patch("Patient/p3", "[{\"op\": \"remove\", \"path\": \"/nothing\"}]").status()).isEqualTo(422);
        assertThat(http.patch("Patient/p3", "{\"op\": \"remove\"}").status()).isEqualTo(400);
        assertThat(http.patch("Patient/nobody", "[]").status()).isEqualTo(404);
        Patient carla = http.get("Patient/p3").as(Patient.class);
        assertThat(carla.getGender().toCode()).isEqualTo("female");
        assertThat(carla.getMeta().getVersionId()).isEqualTo("1");
    }

    @Test
    void deleteLeavesAGoneResourceOutOfSearchesButInHistory() {
        assertThat(http.delete("Observation/o-p1-1").status()).isIn(200, 204);
        assertThat(http.get("Observation/o-p1-1").status()).isEqualTo(410);
        assertThat(http.get("Observation/o-p1-1/_history/1").status()).isEqualTo(200);
        assertThat(matches(http.get("Observation?patient=p1").bundle()))
                .containsExactly("Observation/o-p1-2", "Observation/o-p1-3", "Observation/o-p1-4");
        assertThat(http.delete("Observation/o-p1-1").status()).isIn(200, 204); // deleting again changes nothing
        assertThat(http.delete("Observation/nothing").status()).isEqualTo(404);

        Bundle history = http.get("Observation/o-p1-1/_history").bundle();
        assertThat(history.getType()).isEqualTo(BundleType.HISTORY);
        assertThat(history.getEntry()).hasSize(2);
        assertThat(history.getEntry().get(0).getRequest().getMethod()).isEqualTo(HTTPVerb.DELETE);
        assertThat(history.getEntry().get(0).hasResource()).isFalse();
        assertThat(history.getEntry().get(1).getRequest().getMethod()).isEqualTo(HTTPVerb.POST);
        assertThat(history.getEntry().get(1).getResource().getIdElement().getVersionIdPart()).isEqualTo("1");

        // created again under the same id after the delete
        Observation again = http.get("Observation/o-p1-1/_history/1").as(Observation.class);
        assertThat(http.put("Observation/o-p1-1", again, null).status()).isEqualTo(201);
        assertThat(http.get("Observation/o-p1-1").as(Observation.class).getMeta().getVersionId()).isEqualTo("3");
    }

    @Test
    void instanceAndTypeHistoryAreNewestFirst() {
        Patient amy = http.get("Patient/p1").as(Patient.class);
        amy.setActive(true);
        Patient second = http.put("Patient/p1", amy, null).as(Patient.class);
        amy.setActive(false);
        http.put("Patient/p1", amy, null);

        Bundle history = http.get("Patient/p1/_history").bundle();
        assertThat(history.getTotal()).isEqualTo(3);
        assertThat(history.getEntry()).extracting(e -> e.getResource().getIdElement().getVersionIdPart()).containsExactly("3", "2", "1");
        assertThat(history.getEntry()).extracting(e -> e.getRequest().getMethod()).containsExactly(HTTPVerb.PUT, HTTPVerb.PUT, HTTPVerb.POST);

        Bundle typeHistory = http.get("Patient/_history").bundle();
        assertThat(typeHistory.getTotal()).isEqualTo(5); // 3 patients, 2 more versions of p1
        assertThat(typeHistory.getEntry().get(0).getResource().getIdElement().toUnqualified().getValue()).isEqualTo("Patient/p1/_history/3");

        Bundle since = http.get("Patient/p1/_history?_since=" + second.getMeta().getLastUpdatedElement().getValueAsString()
                .replace("+", "%2B")).bundle();
        assertThat(since.getEntry()).extracting(e -> e.getResource().getIdElement().getVersionIdPart()).containsExactly("3", "2");
    }

    @Test
    void aTransactionLinksNewResourcesByTheirFullUrlsAndRunsEveryEntry() {
        Bundle transaction = new Bundle().setType(BundleType.TRANSACTION);
        transaction.addEntry().setFullUrl("urn:uuid:9d0f2f0c-0000-4000-8000-000000000001")
                .setResource(new Patient().addName(new HumanName().setFamily("Park").addGiven("Eun")))
                .getRequest().setMethod(HTTPVerb.POST).setUrl("Patient");
        Observation observation = new Observation();
        observation.setStatus(Observation.ObservationStatus.FINAL);
        observation.getCode().addCoding().setSystem("http://loinc.org").setCode("8867-4");
        observation.setSubject(new Reference("urn:uuid:9d0f2f0c-0000-4000-8000-000000000001"));
        transaction.addEntry().setFullUrl("urn:uuid:9d0f2f0c-0000-4000-8000-000000000002").setResource(observation)
                .getRequest().setMethod(HTTPVerb.POST).setUrl("Observation");
        Patient bob = http.get("Patient/p2").as(Patient.class);
        bob.setActive(true);
        transaction.addEntry().setResource(bob).getRequest().setMethod(HTTPVerb.PUT).setUrl("Patient/p2");
        transaction.addEntry().getRequest().setMethod(HTTPVerb.DELETE).setUrl("Condition/c-p3-1");
        transaction.addEntry().getRequest().setMethod(HTTPVerb.GET).setUrl("Patient/p1");
        transaction.addEntry().setResource(new Binary().setContentType("application/json-patch+json")
                        .setData("[{\"op\": \"add\", \"path\": \"/active\", \"value\": false}]".getBytes(StandardCharsets.UTF_8)))
                .getRequest().setMethod(HTTPVerb.PATCH).setUrl("Patient/p3");

        Answer answer = http.post("", transaction);
        assertThat(answer.status()).isEqualTo(200);
        Bundle response = answer.bundle();
        assertThat(response.getType()).isEqualTo(BundleType.TRANSACTIONRESPONSE);
        assertThat(response.getEntry()).extracting(e -> e.getResponse().getStatus())
                .containsExactly("201 Created", "201 Created", "200 OK", "204 No Content", "200 OK", "200 OK");
        String patientId = response.getEntry().get(0).getResponse().getLocation().replace("/_history/1", "");
        assertThat(patientId).matches("Patient/\\d+");
        String observationId = response.getEntry().get(1).getResponse().getLocation().replace("/_history/1", "");

        assertThat(http.get(observationId).as(Observation.class).getSubject().getReference()).isEqualTo(patientId);
        assertThat(matches(http.get("Observation?patient=" + patientId).bundle())).containsExactly(observationId);
        assertThat(http.get("Patient/p2").as(Patient.class).getActive()).isTrue();
        assertThat(http.get("Condition/c-p3-1").status()).isEqualTo(410);
        assertThat(((Patient) response.getEntry().get(4).getResource()).getNameFirstRep().getFamily()).isEqualTo("Shaw");
        assertThat(http.get("Patient/p3").as(Patient.class).getActive()).isFalse();
    }

    @Test
    void aTransactionIsAllOrNothing() {
        Bundle transaction = new Bundle().setType(BundleType.TRANSACTION);
        transaction.addEntry().setResource(new Patient().addName(new HumanName().setFamily("Never")))
                .getRequest().setMethod(HTTPVerb.POST).setUrl("Patient");
        transaction.addEntry().getRequest().setMethod(HTTPVerb.DELETE).setUrl("Observation/o-p1-1");
        transaction.addEntry().getRequest().setMethod(HTTPVerb.GET).setUrl("Patient/nobody");

        Answer answer = http.post("", transaction);
        assertThat(answer.status()).isEqualTo(404);
        assertThat(matches(http.get("Patient?family=never").bundle())).isEmpty();
        assertThat(http.get("Patient").bundle().getTotal()).isEqualTo(3);
        assertThat(http.get("Observation/o-p1-1").status()).isEqualTo(200);
        assertThat(http.get("Observation/o-p1-1/_history").bundle().getTotal()).isEqualTo(1);
    }

    @Test
    void aBatchAnswersEachEntryOnItsOwn() {
        Bundle batch = new Bundle().setType(BundleType.BATCH);
        batch.addEntry().getRequest().setMethod(HTTPVerb.GET).setUrl("Patient/p2");
        batch.addEntry().getRequest().setMethod(HTTPVerb.GET).setUrl("Patient/nobody");
        batch.addEntry().setResource(new Patient().addName(new HumanName().setFamily("Batch")))
                .getRequest().setMethod(HTTPVerb.POST).setUrl("Patient");
        batch.addEntry().getRequest().setMethod(HTTPVerb.GET).setUrl("Patient?name=amy");

        Bundle response = http.post("", batch).bundle();
        assertThat(response.getType()).isEqualTo(BundleType.BATCHRESPONSE);
        assertThat(response.getEntry()).extracting(e -> e.getResponse().getStatus()).containsExactly("200 OK", "404 Not Found", "201 Created", "501 Not Implemented");
        assertThat(((Patient) response.getEntry().get(0).getResource()).getNameFirstRep().getFamily()).isEqualTo("Jones");
        assertThat(response.getEntry().get(1).getResponse().getOutcome()).isInstanceOf(OperationOutcome.class);
        assertThat(matches(http.get("Patient?family=batch").bundle())).hasSize(1);
    }
}
