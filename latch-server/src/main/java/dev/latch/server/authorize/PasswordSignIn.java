package dev.latch.server.authorize;

import dev.latch.server.audit.Audit;
import dev.latch.server.audit.AuditEvent;
import dev.latch.server.cpu.CpuPool;
import dev.latch.server.http.BrowserResponse;
import dev.latch.server.http.Response;
import dev.latch.server.session.SessionStore;
import dev.latch.server.user.PasswordVerifier;
import dev.latch.server.user.User;
import dev.latch.server.user.UserStore;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.function.BiFunction;

/**
 * Signing a person in with username and password, for every page that has a sign-in form (the
 * authorization endpoint, the SMART launch simulator): throttled per username and address, the hash
 * checked whether or not the user exists (unknown users and wrong passwords take the same time), a
 * new session id at every sign-in (session fixation, OWASP Session Management §Renew the session ID).
 */
public final class PasswordSignIn {

    private static final int MAX_USERNAME = 256;
    private static final int MAX_PASSWORD = 1024;

    private final UserStore users;
    private final PasswordVerifier hasher;
    private final SessionStore sessions;
    private final LoginThrottle throttle;

    /** The outcome of a sign-in attempt. */
    public sealed interface Result {
        /** Signed in: the old session (if any) is ended and {@code session} is the new one. */
        record SignedIn(User user, SessionStore.Created session) implements Result {}
        /** Refused: the page to show again with {@code status} and {@code message}; {@code retryAfter} seconds or null. */
        record Refused(int status, String message, Long retryAfter) implements Result {
            /** The sign-in page shown again, with {@code Retry-After} when the person must wait. */
            public BrowserResponse answer(BiFunction<Integer, String, Response> page) {
                Response shown = page.apply(status, message);
                return BrowserResponse.of(retryAfter == null ? shown : shown.withHeader("Retry-After", Long.toString(retryAfter)));
            }
        }
    }

    public PasswordSignIn(UserStore users, PasswordVerifier hasher, SessionStore sessions, LoginThrottle throttle) {
        this.users = users;
        this.hasher = hasher;
        this.sessions = sessions;
        this.throttle = throttle;
    }

    /**
     * @param previousSession the session cookie the browser sent, ended on success
     * @param via             what the person signs in to, for the audit log (a client id, or a page)
     */
    public Result signIn(String username, String password, String ip, String previousSession, String via, long now) {
        if (username == null || password == null) {
            return new Result.Refused(200, "Enter your username and password.", null);
        }
        Optional<Duration> wait = throttle.wait(username, ip);
        if (wait.isPresent()) {
            long seconds = Math.max(1, (wait.get().toMillis() + 999) / 1000);
            failed(username, via, ip, "throttled");
            return new Result.Refused(429, "Too many failed sign-in attempts. Wait " + seconds + " second" + (seconds == 1 ? "" : "s")
                    + " and try again.", seconds);
        }
        Optional<User> user = username.length() > MAX_USERNAME ? Optional.empty() : users.findByUsername(username);
        boolean usable = user.isPresent() && user.get().enabled() && user.get().passwordHash() != null;
        char[] secret = password.length() > MAX_PASSWORD ? new char[0] : password.toCharArray();
        boolean verified;
        try {
            // the hash is checked whether or not the user exists, so both failures cost the same time
            verified = usable ? hasher.verify(secret, user.get().passwordHash()) : hasher.verifyAgainstDummy(secret);
        } catch (CpuPool.Busy e) {
            failed(username, via, ip, "busy");
            return new Result.Refused(503, "The server is busy signing other people in. Try again in a moment.", 1L);
        } finally {
            Arrays.fill(secret, '\0');
        }
        if (!usable || !verified || password.length() > MAX_PASSWORD) {
            throttle.failed(username, ip);
            failed(username, via, ip, "invalid_credentials");
            return new Result.Refused(200, "The username or password is incorrect.", null);
        }
        throttle.succeeded(username);
        User u = user.get();
        sessions.end(previousSession);
        SessionStore.Created created = sessions.create(u.subject(), now);
        Audit.success(AuditEvent.SIGNIN).ip(ip).client(via).user(u.subject()).username(u.username()).write();
        return new Result.SignedIn(u, created);
    }

    /** The username as typed (the audit log escapes and caps it); {@code reason} one of the documented sign-in reasons. */
    private static void failed(String username, String via, String ip, String reason) {
        Audit.failure(AuditEvent.SIGNIN).ip(ip).client(via).username(username).reason(reason).write();
    }
}
