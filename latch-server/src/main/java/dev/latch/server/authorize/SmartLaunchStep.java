package dev.latch.server.authorize;

import dev.latch.core.smart.LaunchContext;
import dev.latch.server.session.Interaction;
import dev.latch.server.user.FhirUser;
import dev.latch.server.user.User;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The SMART App Launch 2.2 part of an authorization request: which launch context the code will carry.
 * <ul>
 *   <li>EHR launch (§"EHR Launch"): the request names a {@code launch}, which must be an unused,
 *   unexpired launch of this client, asked with the {@code launch} scope and an {@code aud} equal to the
 *   launch's FHIR base; a launch made for a user is for that user only. Anything else is
 *   {@code invalid_request}, never a code. The launch is used up when the code is issued.</li>
 *   <li>Standalone launch (§"Standalone Launch"): {@code launch/patient} or {@code launch/encounter}
 *   without {@code launch}. A user whose {@code fhirUser} is a Patient gets that patient (and, with
 *   {@code launch/encounter}, chooses one of their own visits); a user who {@linkplain #mayPick may pick}
 *   chooses one in the patient picker; anyone else is refused ({@code access_denied}).</li>
 * </ul>
 */
final class SmartLaunchStep {

    /** The role that lets a user choose any patient in the picker (besides Practitioners). */
    static final String PICKER_ROLE = "smart-picker";

    sealed interface Outcome {
        /** The code carries {@code context} (null: none); {@code ehrLaunch} is the launch to use up, or null. */
        record Decided(LaunchContext context, String ehrLaunch) implements Outcome {}
        /** An error for the client's redirect URI. */
        record Refused(String code, String description) implements Outcome {}
        /** The launch is for {@code username}, who is not the one signed in. */
        record SignInAs(String username) implements Outcome {}
        /** The user chooses the patient (and encounter). */
        record Pick() implements Outcome {}
        /** A Patient user asking {@code launch/encounter} chooses one of their own visits ({@code patient} is their record). */
        record PickEncounter(String patient) implements Outcome {}
    }

    private final EhrLaunches launches;
    private final PatientDirectory patients;

    /** @param launches null when SMART is not served (every {@code launch} is then refused); likewise {@code patients} */
    SmartLaunchStep(EhrLaunches launches, PatientDirectory patients) {
        this.launches = launches;
        this.patients = patients;
    }

    PatientDirectory patients() {
        return patients;
    }

    /** Who may choose a patient: a Practitioner or PractitionerRole ({@code fhirUser}), or a user with role {@value #PICKER_ROLE}. */
    static boolean mayPick(User user) {
        return FhirUser.isPractitioner(user) || (user.roles() != null && user.roles().contains(PICKER_ROLE));
    }

    static boolean standalone(AuthorizationRequest request, Map<String, List<String>> parameters) {
        Set<String> scopes = Set.of(request.scope().split(" "));
        return single(parameters, "launch") == null && (scopes.contains("launch/patient") || scopes.contains("launch/encounter"));
    }

    /**
     * Whether {@code user} may post {@code patient} (null: a search) in the picker: a user who {@linkplain #mayPick may pick}
     * any; a Patient user only their own record, and only to choose one of their visits ({@code launch/encounter}).
     */
    static boolean mayChoose(User user, AuthorizationRequest request, String patient) {
        return mayPick(user) || (patient != null && wantsEncounter(request) && FhirUser.patientId(user).filter(patient::equals).isPresent());
    }

    static boolean wantsEncounter(AuthorizationRequest request) {
        return Set.of(request.scope().split(" ")).contains("launch/encounter");
    }

    /** The FHIR base the request names ({@code aud}), or null. */
    static String audience(Map<String, List<String>> parameters) {
        return single(parameters, "aud");
    }

    /** What can be refused before anyone signs in: an EHR launch that does not fit the request. */
    Optional<Outcome.Refused> check(AuthorizationRequest request, Map<String, List<String>> parameters, long now) {
        String launch = single(parameters, "launch");
        if (launch == null) {
            return Optional.empty();
        }
        return ehrLaunch(request, parameters, launch, now);
    }

    /** The launch context once {@code user} is signed in. */
    Outcome decide(AuthorizationRequest request, Map<String, List<String>> parameters, Interaction interaction, User user,
                   boolean freshLogin, long now) {
        String launch = single(parameters, "launch");
        if (launch != null) {
            Optional<Outcome.Refused> refused = ehrLaunch(request, parameters, launch, now);
            if (refused.isPresent()) return refused.get();
            Optional<EhrLaunches.EhrLaunch> found = launches.find(launch, now);
            if (found.isEmpty()) {
                // used or expired a moment ago, between the check and this read
                return new Outcome.Refused("invalid_request", "the launch is unknown, expired, used or another application's");
            }
            EhrLaunches.EhrLaunch l = found.get();
            if (l.username() != null && !l.username().equalsIgnoreCase(user.username())) {
                return freshLogin ? new Outcome.Refused("access_denied", "the launch is for another user")
                        : new Outcome.SignInAs(l.username());
            }
            return new Outcome.Decided(l.context().empty() ? null : l.context(), launch);
        }
        if (!standalone(request, parameters)) {
            return new Outcome.Decided(null, null);
        }
        if (patients == null || !patients.serves(audience(parameters))) {
            return new Outcome.Refused("invalid_request", "launch/patient needs a FHIR server: send aud with a configured FHIR base");
        }
        if (interaction != null && interaction.launch() != null) {
            return new Outcome.Decided(interaction.launch(), null);
        }
        Optional<String> own = FhirUser.patientId(user);
        if (own.isPresent()) {
            return wantsEncounter(request) ? new Outcome.PickEncounter(own.get()) : new Outcome.Decided(LaunchContext.ofPatient(own.get()), null);
        }
        if (mayPick(user)) {
            return new Outcome.Pick();
        }
        return new Outcome.Refused("access_denied", "this user has no patient record (fhirUser) and may not choose a patient");
    }

    /** Uses the EHR launch up; false when another request used it first or it has expired. */
    boolean consume(String launch, long now) {
        return launches.consume(launch, now);
    }

    /** Refused when the EHR launch does not fit the request; empty when it does. */
    private Optional<Outcome.Refused> ehrLaunch(AuthorizationRequest request, Map<String, List<String>> parameters, String launch, long now) {
        if (launches == null) {
            return Optional.of(new Outcome.Refused("invalid_request", "this server does not serve SMART EHR launches"));
        }
        if (!Set.of(request.scope().split(" ")).contains("launch")) {
            return Optional.of(new Outcome.Refused("invalid_request", "an EHR launch must ask for the launch scope"));
        }
        Optional<EhrLaunches.EhrLaunch> found = launches.find(launch, now).filter(l -> l.clientId().equals(request.client().clientId()));
        if (found.isEmpty()) {
            return Optional.of(new Outcome.Refused("invalid_request", "the launch is unknown, expired, used or another application's"));
        }
        String aud = single(parameters, "aud");
        if (aud == null) {
            return Optional.of(new Outcome.Refused("invalid_request", "aud is required with launch: the FHIR base the app was launched with"));
        }
        if (!trimmed(aud).equals(trimmed(found.get().iss()))) {
            return Optional.of(new Outcome.Refused("invalid_request", "aud is not the FHIR server this launch is for"));
        }
        return Optional.empty();
    }

    private static String trimmed(String base) {
        return dev.latch.server.config.ServerConfig.Smart.withoutTrailingSlashes(base);
    }

    private static String single(Map<String, List<String>> p, String name) {
        List<String> values = p.get(name);
        if (values == null || values.isEmpty() || values.get(0) == null || values.get(0).isEmpty()) return null;
        return values.get(0);
    }
}
