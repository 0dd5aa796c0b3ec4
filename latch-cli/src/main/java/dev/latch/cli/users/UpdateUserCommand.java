package dev.latch.cli.users;

import dev.latch.server.audit.Audit;
import dev.latch.server.audit.AuditEvent;
import dev.latch.server.LatchInstance;
import dev.latch.server.user.User;
import dev.latch.server.user.UserProfile;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code latch users update USERNAME --fhir-user REF | --no-fhir-user}: what an existing user is in the health record. */
@Command(name = "update", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Change an existing user's SMART fhirUser (the FHIR resource that is this person); the rest of the user stays.",
                "A user declared in the configuration file gets the file's fhir-user back when the server starts."})
public final class UpdateUserCommand extends OneUserCommand {

    /** Exactly one change is asked for. */
    static final class Change {
        @Option(names = "--fhir-user", paramLabel = "REF", required = true, description = "Patient/ID, Practitioner/ID, "
                + "PractitionerRole/ID, RelatedPerson/ID or Person/ID (e.g. Practitioner/123).")
        String fhirUser;

        @Option(names = "--no-fhir-user", required = true, description = "Remove the user's fhirUser.")
        boolean noFhirUser;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Change change;

    @Override
    String apply(LatchInstance latch) {
        User u = user(latch);
        String fhirUser = change.noFhirUser ? null : change.fhirUser;
        User updated = latch.users().update(u.username(), new UserProfile(u.username(), u.claims(), u.roles(), u.enabled(), fhirUser));
        Audit.success(AuditEvent.USER_UPDATE).cli().user(updated.subject()).username(updated.username())
                .reason(fhirUser == null ? "fhirUser removed" : "fhirUser set").write();
        return "updated user " + updated.username() + (updated.fhirUser() == null ? ": no fhirUser" : ": fhirUser " + updated.fhirUser());
    }
}
