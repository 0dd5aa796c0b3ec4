package dev.latch.fhirsample;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import org.hl7.fhir.r4.model.AllergyIntolerance;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Condition;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.DateType;
import org.hl7.fhir.r4.model.Encounter;
import org.hl7.fhir.r4.model.Enumerations.AdministrativeGender;
import org.hl7.fhir.r4.model.HumanName;
import org.hl7.fhir.r4.model.MedicationRequest;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Period;
import org.hl7.fhir.r4.model.Practitioner;
import org.hl7.fhir.r4.model.Quantity;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;

/**
 * The sample data every {@link SampleFhirServer} starts with, always the same, with fixed ids:
 *
 * <ul>
 *   <li>Practitioner/pr1 Nadia Okafor, the general practitioner of every patient;</li>
 *   <li>Patient/p1 Amy Shaw, Patient/p2 Bob Jones, Patient/p3 Carla Diaz (identifier
 *       {@value #MRN}|MRN-1001, -1002, -1003);</li>
 *   <li>for each patient pN: Encounter/e-pN-1 and e-pN-2 (ambulatory, with pr1);
 *       Observation/o-pN-1 heart rate and o-pN-2 body temperature (category vital-signs, encounter e-pN-1),
 *       o-pN-3 hemoglobin A1c and o-pN-4 glucose (category laboratory, encounter e-pN-2), LOINC coded;
 *       Condition/c-pN-1 (problem-list-item) and c-pN-2 (encounter-diagnosis, encounter e-pN-2), SNOMED coded;</li>
 *   <li>MedicationRequest/m-p1-1 metformin for p1, AllergyIntolerance/a-p2-1 peanut allergy for p2.</li>
 * </ul>
 *
 * So each patient has 2 encounters, 4 observations (2 vital-signs, 2 laboratory) and 2 conditions.
 */
public final class SampleData {

    public static final String MRN = "urn:latch:sample:mrn";
    public static final String LOINC = "http://loinc.org";
    public static final String SNOMED = "http://snomed.info/sct";
    public static final String OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category";
    public static final String CONDITION_CATEGORY = "http://terminology.hl7.org/CodeSystem/condition-category";

    /** The patients: id, given name, family name, gender, birth date, and their two conditions (SNOMED code, display). */
    private record SamplePatient(String id, String given, String family, AdministrativeGender gender, String birthDate,
            String[] problem, String[] diagnosis) {}

    private static final List<SamplePatient> PATIENTS = List.of(
            new SamplePatient("p1", "Amy", "Shaw", AdministrativeGender.FEMALE, "1987-02-20",
                    new String[] {"44054006", "Diabetes mellitus type 2"}, new String[] {"38341003", "Hypertensive disorder"}),
            new SamplePatient("p2", "Bob", "Jones", AdministrativeGender.MALE, "1975-06-03",
                    new String[] {"195967001", "Asthma"}, new String[] {"55822004", "Hyperlipidemia"}),
            new SamplePatient("p3", "Carla", "Diaz", AdministrativeGender.FEMALE, "1990-11-11",
                    new String[] {"37796009", "Migraine"}, new String[] {"271737000", "Anemia"}));

    private SampleData() {}

    /** Every sample resource, a practitioner first, then each patient and their resources. */
    public static List<Resource> resources() {
        List<Resource> all = new ArrayList<>();
        Practitioner practitioner = new Practitioner();
        practitioner.setId("pr1");
        practitioner.addIdentifier().setSystem("http://hl7.org/fhir/sid/us-npi").setValue("1234567893");
        practitioner.addName(new HumanName().setFamily("Okafor").addGiven("Nadia").addPrefix("Dr."));
        all.add(practitioner);

        int n = 0;
        for (SamplePatient p : PATIENTS) {
            n++;
            Reference patient = new Reference("Patient/" + p.id()).setDisplay(p.given() + " " + p.family());
            Patient resource = new Patient();
            resource.setId(p.id());
            resource.addIdentifier().setSystem(MRN).setValue("MRN-100" + n);
            resource.addName(new HumanName().setFamily(p.family()).addGiven(p.given()).setText(p.given() + " " + p.family()));
            resource.setGender(p.gender());
            resource.setBirthDateElement(new DateType(p.birthDate()));
            resource.addGeneralPractitioner(new Reference("Practitioner/pr1"));
            all.add(resource);

            String e1 = "e-" + p.id() + "-1";
            String e2 = "e-" + p.id() + "-2";
            all.add(encounter(e1, patient, "2024-0" + n + "-10T09:00:00Z"));
            all.add(encounter(e2, patient, "2024-0" + n + "-24T14:30:00Z"));

            all.add(observation("o-" + p.id() + "-1", patient, e1, "vital-signs", "8867-4", "Heart rate",
                    60 + 10 * n, "/min", "/min", "2024-0" + n + "-10T09:10:00Z"));
            all.add(observation("o-" + p.id() + "-2", patient, e1, "vital-signs", "8310-5", "Body temperature",
                    new BigDecimal("36." + (5 + n)), "Cel", "Cel", "2024-0" + n + "-10T09:12:00Z"));
            all.add(observation("o-" + p.id() + "-3", patient, e2, "laboratory", "4548-4", "Hemoglobin A1c/Hemoglobin.total in Blood",
                    new BigDecimal("5." + (5 + n)), "%", "%", "2024-0" + n + "-24T15:00:00Z"));
            all.add(observation("o-" + p.id() + "-4", patient, e2, "laboratory", "2339-0", "Glucose [Mass/volume] in Blood",
                    90 + 5 * n, "mg/dL", "mg/dL", "2024-0" + n + "-24T15:00:00Z"));

            all.add(condition("c-" + p.id() + "-1", patient, null, "problem-list-item", p.problem()));
            all.add(condition("c-" + p.id() + "-2", patient, e2, "encounter-diagnosis", p.diagnosis()));
        }

        MedicationRequest metformin = new MedicationRequest();
        metformin.setId("m-p1-1");
        metformin.setStatus(MedicationRequest.MedicationRequestStatus.ACTIVE);
        metformin.setIntent(MedicationRequest.MedicationRequestIntent.ORDER);
        metformin.setMedication(new CodeableConcept(new Coding("http://www.nlm.nih.gov/research/umls/rxnorm", "860975",
                "24 HR metformin hydrochloride 500 MG Extended Release Oral Tablet")));
        metformin.setSubject(new Reference("Patient/p1"));
        metformin.setRequester(new Reference("Practitioner/pr1"));
        all.add(metformin);

        AllergyIntolerance peanut = new AllergyIntolerance();
        peanut.setId("a-p2-1");
        peanut.setCode(new CodeableConcept(new Coding(SNOMED, "91935009", "Allergy to peanut")));
        peanut.setPatient(new Reference("Patient/p2"));
        all.add(peanut);
        return all;
    }

    private static Encounter encounter(String id, Reference patient, String start) {
        Encounter encounter = new Encounter();
        encounter.setId(id);
        encounter.setStatus(Encounter.EncounterStatus.FINISHED);
        encounter.setClass_(new Coding("http://terminology.hl7.org/CodeSystem/v3-ActCode", "AMB", "ambulatory"));
        encounter.setSubject(patient.copy());
        encounter.addParticipant().setIndividual(new Reference("Practitioner/pr1"));
        DateTimeType begin = new DateTimeType(start);
        encounter.setPeriod(new Period().setStartElement(begin).setEndElement(new DateTimeType(begin.getValue().toInstant()
                .plusSeconds(1800).toString())));
        return encounter;
    }

    private static Observation observation(String id, Reference patient, String encounter, String category, String loinc,
            String display, Number value, String unit, String ucum, String effective) {
        Observation observation = new Observation();
        observation.setId(id);
        observation.setStatus(Observation.ObservationStatus.FINAL);
        observation.addCategory(new CodeableConcept(new Coding(OBSERVATION_CATEGORY, category,
                category.equals("laboratory") ? "Laboratory" : "Vital Signs")));
        observation.setCode(new CodeableConcept(new Coding(LOINC, loinc, display)).setText(display));
        observation.setSubject(patient.copy());
        observation.setEncounter(new Reference("Encounter/" + encounter));
        observation.setEffective(new DateTimeType(effective));
        observation.addPerformer(new Reference("Practitioner/pr1"));
        observation.setValue(new Quantity().setValue(new BigDecimal(value.toString())).setUnit(unit)
                .setSystem("http://unitsofmeasure.org").setCode(ucum));
        return observation;
    }

    private static Condition condition(String id, Reference patient, String encounter, String category, String[] snomed) {
        Condition condition = new Condition();
        condition.setId(id);
        condition.setClinicalStatus(new CodeableConcept(new Coding("http://terminology.hl7.org/CodeSystem/condition-clinical",
                "active", "Active")));
        condition.addCategory(new CodeableConcept(new Coding(CONDITION_CATEGORY, category, null)));
        condition.setCode(new CodeableConcept(new Coding(SNOMED, snomed[0], snomed[1])).setText(snomed[1]));
        condition.setSubject(patient.copy());
        if (encounter != null) {
            condition.setEncounter(new Reference("Encounter/" + encounter));
        }
        condition.setAsserter(new Reference("Practitioner/pr1"));
        return condition;
    }
}
