package dev.latch.cli.users;

import dev.latch.server.audit.Audit;
import dev.latch.server.audit.AuditEvent;
import dev.latch.cli.instance.InstanceOptions;
import dev.latch.cli.options.SecretOptions;
import dev.latch.server.LatchInstance;
import dev.latch.server.user.User;
import dev.latch.server.user.UserProfile;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code latch users add USERNAME … --password-stdin}. */
@Command(name = "add", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Create a user and print it as JSON. Its subject (sub) is 128 random bits, never derived from the username.",
                "The password is read from standard input (--password-stdin), never from the command line. Without --password-stdin "
                        + "the user has no password and cannot sign in until `latch users passwd` sets one."})
public final class AddUserCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    InstanceOptions instance = new InstanceOptions();

    @Parameters(index = "0", paramLabel = "USERNAME", description = "1-100 characters; unique ignoring case.")
    String username;

    @Option(names = "--email", paramLabel = "E", description = "email claim.")
    String email;

    @Option(names = "--name", paramLabel = "N", description = "name claim (full name).")
    String name;

    @Option(names = "--given-name", paramLabel = "G", description = "given_name claim.")
    String givenName;

    @Option(names = "--family-name", paramLabel = "F", description = "family_name claim.")
    String familyName;

    @Option(names = "--phone", paramLabel = "P", description = "phone_number claim (E.164 recommended, e.g. +14255551212).")
    String phone;

    @Option(names = "--role", paramLabel = "R", description = "A role (repeatable): printable ASCII without spaces.")
    List<String> roles;

    @Option(names = "--fhir-user", paramLabel = "REF", description = "SMART fhirUser: the FHIR resource that is this person, "
            + "Patient/ID, Practitioner/ID, PractitionerRole/ID, RelatedPerson/ID or Person/ID (e.g. Practitioner/123).")
    String fhirUser;

    @Option(names = "--password-stdin", description = "Read the password from standard input: all of it, less one trailing newline.")
    boolean passwordStdin;

    @Option(names = {"-q", "--quiet"}, description = "Print only the new user's subject.")
    boolean quiet;

    @Override
    public Integer call() {
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("name", name);
        claims.put("given_name", givenName);
        claims.put("family_name", familyName);
        claims.put("email", email);
        claims.put("phone_number", phone);
        char[] password = passwordStdin ? SecretOptions.passwordFromStdin(spec, "--password-stdin") : null;
        try (LatchInstance latch = instance.open(true)) {
            User user = latch.users().create(new UserProfile(username, claims, roles, true, fhirUser), password);
            Audit.success(AuditEvent.USER_CREATE).cli().user(user.subject()).username(user.username())
                    .reason(password == null ? "without a password" : null).write();
            UserOutput.println(spec, quiet ? user.subject() : UserOutput.json(user));
            if (password == null) {
                PrintWriter err = spec.commandLine().getErr();
                err.println("latch: user " + user.username() + " has no password and cannot sign in until "
                        + "`latch users passwd " + user.username() + " --password-stdin` sets one");
                err.flush();
            }
        } finally {
            if (password != null) {
                Arrays.fill(password, '\0');
            }
        }
        return 0;
    }
}
