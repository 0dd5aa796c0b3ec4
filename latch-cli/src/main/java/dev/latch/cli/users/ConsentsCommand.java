package dev.latch.cli.users;

import dev.latch.server.audit.Audit;
import dev.latch.server.audit.AuditEvent;
import dev.latch.cli.output.Table;
import dev.latch.server.LatchInstance;
import dev.latch.server.consent.ConsentStore;
import dev.latch.server.user.InvalidUserException;
import dev.latch.server.user.User;
import java.time.Instant;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code latch users consents USERNAME [--revoke CLIENT_ID]}: the consents a user gave (OIDC Core
 * §3.1.2.4), and withdrawing one. Withdrawing also revokes the refresh tokens of that user for that
 * client (RFC 6749 §6 grants rest on the consent), so the client loses offline access at once.
 */
@Command(name = "consents", mixinStandardHelpOptions = true,
        description = {"List a user's consents: CLIENT, SCOPE, GRANTED (UTC), LASTS ('session' when given with \"ask me again after I sign out\").",
                "With --revoke, remove the user's consents for that client and revoke the user's refresh tokens for it."})
public final class ConsentsCommand extends OneUserCommand {

    @Option(names = "--revoke", paramLabel = "CLIENT_ID", description = "Withdraw the consents given to this client and revoke its refresh tokens for the user.")
    String revoke;

    @Override
    String apply(LatchInstance latch) {
        User u = user(latch);
        ConsentStore consents = new ConsentStore(latch.database().sql());
        if (revoke != null) {
            ConsentStore.Withdrawn withdrawn = consents.withdraw(u.subject(), revoke, latch.refreshTokens(),
                    new dev.latch.server.code.JdbcAuthorizationCodeStore(latch.database().sql()), latch.clock().instant().getEpochSecond());
            int removed = withdrawn.consents();
            int families = withdrawn.refreshTokenFamilies();
            if (withdrawn.nothing()) {
                throw new InvalidUserException("user " + u.username() + " has no consent for client " + revoke);
            }
            Audit.success(AuditEvent.CONSENT_REVOKE).cli().client(revoke).user(u.subject()).username(u.username()).count(removed)
                    .reason(families + " refresh-token families revoked").write();
            return "revoked consent of " + u.username() + " for client " + revoke + " (" + removed + " consent"
                    + (removed == 1 ? "" : "s") + ", " + families + " refresh token famil" + (families == 1 ? "y" : "ies") + ")";
        }
        Table table = new Table("CLIENT", "SCOPE", "GRANTED", "LASTS");
        for (ConsentStore.Consent c : consents.all(u.subject())) {
            table.row(c.clientId(), c.scope(), Instant.ofEpochSecond(c.grantedAt()).toString(), c.sessionBound() ? "session" : "until revoked");
        }
        table.print(spec.commandLine().getOut());
        return null;
    }
}
