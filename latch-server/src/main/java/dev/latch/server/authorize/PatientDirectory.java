package dev.latch.server.authorize;

import java.util.List;
import java.util.Optional;

/**
 * Where the patient picker of a SMART standalone launch (SMART App Launch 2.2 §"Standalone Launch",
 * {@code launch/patient}, {@code launch/encounter}) finds patients and their encounters: the
 * configured FHIR server.
 */
public interface PatientDirectory {

    /** One patient as the picker shows it. */
    record PatientEntry(String id, String name, String birthDate, String gender) {}

    /** One encounter of a patient as the picker shows it. */
    record EncounterEntry(String id, String label) {}

    /** The FHIR server cannot be asked now (down, slow, or answering something that is not FHIR). */
    final class Unavailable extends RuntimeException {
        public Unavailable(String message) {
            super(message);
        }
    }

    /**
     * @param fhirBase the FHIR base the request names in {@code aud}, or null for the only one configured
     * @throws Unavailable when the FHIR server gives no usable answer
     */
    List<PatientEntry> search(String fhirBase, String name);

    /** The patient with {@code id}, when the FHIR server has it. */
    Optional<PatientEntry> read(String fhirBase, String id);

    List<EncounterEntry> encounters(String fhirBase, String patientId);

    /** Whether {@code fhirBase} (null: the only one) names a configured FHIR server. */
    boolean serves(String fhirBase);
}
