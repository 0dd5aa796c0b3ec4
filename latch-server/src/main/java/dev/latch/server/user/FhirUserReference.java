package dev.latch.server.user;

import java.util.Optional;

/**
 * A user's FHIR identity (SMART App Launch 2.2 {@code fhirUser}: a relative reference such as
 * {@code Patient/123} or {@code Practitioner/9}). Read here, and only here, so that the patient picker
 * and the launch simulator follow wherever the user record keeps it; for now the {@code fhirUser}
 * entry of the user's claims.
 */
public final class FhirUserReference {

    private FhirUserReference() {}

    public static Optional<String> of(User user) {
        Object v = user.claims() == null ? null : user.claims().get("fhirUser");
        return v instanceof String s && s.contains("/") ? Optional.of(s) : Optional.empty();
    }

    /** The id of the user's own Patient record, when the user is a patient. */
    public static Optional<String> patientId(User user) {
        return of(user).filter(r -> r.startsWith("Patient/")).map(r -> r.substring("Patient/".length())).filter(id -> !id.isEmpty());
    }

    /** True for a Practitioner or PractitionerRole: people who look after patients. */
    public static boolean isPractitioner(User user) {
        return of(user).filter(r -> r.startsWith("Practitioner/") || r.startsWith("PractitionerRole/")).isPresent();
    }
}
