package dev.latch.server.user;

import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * SMART App Launch 2.2 §"fhirUser": the FHIR resource that is the person signed in, a reference to a
 * Patient, Practitioner, PractitionerRole, RelatedPerson or Person. Latch keeps it relative
 * ({@code Practitioner/123}) because one user may reach several FHIR servers; the claim is made absolute
 * ({@code {FHIR base}/Practitioner/123}, as SMART asks) with the FHIR server the token is aimed at.
 */
public final class FhirUser {

    /** The claim's name, which is also the scope that asks for it. */
    public static final String CLAIM = "fhirUser";
    public static final List<String> RESOURCE_TYPES = List.of("Patient", "Practitioner", "PractitionerRole", "RelatedPerson", "Person");
    /** FHIR R4 §2.1.1.3 (id): 1-64 of {@code A-Z a-z 0-9 - .}. */
    private static final Pattern REFERENCE = Pattern.compile("(" + String.join("|", RESOURCE_TYPES) + ")/[A-Za-z0-9\\-.]{1,64}");

    private FhirUser() {}

    /**
     * {@code reference} when it is {@code Type/id} of an allowed type, null when null or blank.
     *
     * @throws InvalidUserException naming the value and the form expected
     */
    public static String check(String reference) {
        if (reference == null || reference.isBlank()) return null;
        String r = reference.strip();
        if (!REFERENCE.matcher(r).matches()) {
            throw new InvalidUserException("fhir-user " + reference + " is not a FHIR reference Type/id with Type one of "
                    + String.join(", ", RESOURCE_TYPES) + " and id 1-64 of A-Z a-z 0-9 - . (e.g. Practitioner/123)");
        }
        return r;
    }

    /**
     * The {@code fhirUser} claim of {@code user}, when the {@code fhirUser} scope was granted and the user
     * has one: absolute under the first audience that is a FHIR base, else the relative reference.
     *
     * @param fhirBase tells which audiences are configured FHIR bases
     */
    public static Optional<String> claim(User user, Collection<String> grantedScopes, List<String> audience, Predicate<String> fhirBase) {
        if (user.fhirUser() == null || !grantedScopes.contains(CLAIM)) return Optional.empty();
        for (String a : audience == null ? List.<String>of() : audience) {
            if (a != null && fhirBase.test(a)) return Optional.of(a + "/" + user.fhirUser());
        }
        return Optional.of(user.fhirUser());
    }

    /** The id of the user's own Patient record, when the user is a patient ({@code fhir-user: Patient/x}). */
    public static Optional<String> patientId(User user) {
        String r = user.fhirUser();
        return r != null && r.startsWith("Patient/") ? Optional.of(r.substring("Patient/".length())) : Optional.empty();
    }

    /** True for a Practitioner or PractitionerRole: people who look after patients (the patient picker is theirs). */
    public static boolean isPractitioner(User user) {
        String r = user.fhirUser();
        return r != null && (r.startsWith("Practitioner/") || r.startsWith("PractitionerRole/"));
    }
}
