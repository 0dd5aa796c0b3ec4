package dev.latch.server.user;

import dev.latch.server.secret.Secrets;
import java.text.Normalizer;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Creates, changes and removes users, whichever way they arrive (CLI, YAML, later an admin API), with
 * one set of checks, and checks passwords at sign-in. Checks fail with {@link InvalidUserException}
 * naming the field.
 *
 * <p><b>Usernames</b> are 1-100 characters after trimming, with no control or invisible formatting
 * characters (which could make two names look alike). They are stored as given (in Unicode NFC) and
 * shown that way, but they are unique and looked up <em>ignoring case</em> (and compatibility
 * variants such as full-width letters, {@link UsernameKey}): {@code Alice} signs in as {@code alice}
 * too, and no second user {@code alice} can exist beside her. People do not remember the case they
 * typed, and two accounts differing only in case invite impersonation.
 *
 * <p><b>Subjects</b> ({@code sub}, OIDC Core §2) are 128 random bits, base64url: never derived from
 * the username, so renaming a user keeps it and nothing about the person can be read from it
 * (§5.7: the subject is the only stable identifier).
 *
 * <p><b>Roles</b> are tokens in the syntax of OAuth scope tokens (RFC 6749 §3.3: printable ASCII
 * without space, {@code "} or {@code \}), so they fit space-separated claims unchanged.
 *
 * <p><b>Claims</b> are OIDC Core §5.1 standard claims only ({@link StandardClaims}).
 */
public final class UserRegistry {

    public static final int MAX_USERNAME_LENGTH = 100;
    public static final int MAX_ROLE_LENGTH = 200;
    public static final int MAX_ROLES = 100;
    /** Longer passwords are refused: nobody types them, and they would only cost hashing time. */
    public static final int MAX_PASSWORD_LENGTH = 1024;
    public static final int DEFAULT_MIN_PASSWORD_LENGTH = 8;
    private static final int MAX_USERNAME_KEY_LENGTH = 400;
    private static final Pattern ROLE = Pattern.compile("[\\x21\\x23-\\x5B\\x5D-\\x7E]+");

    private final UserStore store;
    private final PasswordHasher hasher;
    private final Clock clock;
    private final int minPasswordLength;

    public UserRegistry(UserStore store, PasswordHasher hasher, Clock clock, int minPasswordLength) {
        this.store = store;
        this.hasher = hasher;
        this.clock = clock;
        this.minPasswordLength = minPasswordLength;
    }

    public UserStore store() {
        return store;
    }

    public PasswordHasher hasher() {
        return hasher;
    }

    public int minPasswordLength() {
        return minPasswordLength;
    }

    /**
     * Creates a user with a new subject.
     *
     * @param password the password, hashed here; null for a user without one, who cannot sign in with a password
     */
    public User create(UserProfile profile, char[] password) {
        String hash = null;
        if (password != null) {
            checkPassword(password);
            hash = hasher.hash(password);
        }
        return insert(profile, hash);
    }

    /** Creates a user whose password hash was made elsewhere (an Argon2id PHC string from any Argon2 library). */
    public User createWithPasswordHash(UserProfile profile, String passwordHash) {
        return insert(profile, checkPasswordHash(passwordHash));
    }

    private User insert(UserProfile profile, String hash) {
        Checked c = check(profile);
        long now = clock.instant().getEpochSecond();
        User user = new User(newSubject(), c.username(), c.claims(), c.roles(), hash, profile.enabled(), now, now, c.fhirUser());
        if (!store.insert(user)) {
            throw taken(c.username());
        }
        return user;
    }

    /**
     * Replaces a user's username, claims, roles, enabled flag and fhirUser with {@code profile}; the subject and
     * the password stay. Nothing is written (and {@code updated_at} stays) when nothing changes.
     */
    public User update(String username, UserProfile profile) {
        User existing = require(username);
        Checked c = check(profile);
        if (existing.username().equals(c.username()) && existing.claims().equals(c.claims())
                && existing.roles().equals(c.roles()) && existing.enabled() == profile.enabled()
                && java.util.Objects.equals(existing.fhirUser(), c.fhirUser())) {
            return existing;
        }
        User changed = new User(existing.subject(), c.username(), c.claims(), c.roles(), existing.passwordHash(),
                profile.enabled(), existing.createdAt(), clock.instant().getEpochSecond(), c.fhirUser());
        if (!store.update(changed)) {
            if (store.findBySubject(existing.subject()).isEmpty()) {
                throw new InvalidUserException("no user " + username);
            }
            throw taken(c.username());
        }
        return changed;
    }

    /** Sets a new password (checked against the password rules, then hashed). */
    public User setPassword(String username, char[] password) {
        checkPassword(password);
        return replaceHash(require(username), hasher.hash(password), true);
    }

    /** Sets a password hash made elsewhere. */
    public User setPasswordHash(String username, String passwordHash) {
        return replaceHash(require(username), checkPasswordHash(passwordHash), true);
    }

    public User setEnabled(String username, boolean enabled) {
        User u = require(username);
        if (u.enabled() == enabled) {
            return u;
        }
        User changed = new User(u.subject(), u.username(), u.claims(), u.roles(), u.passwordHash(), enabled,
                u.createdAt(), clock.instant().getEpochSecond(), u.fhirUser());
        store.update(changed);
        return changed;
    }

    /** @return false when there is no such user */
    public boolean remove(String username) {
        Optional<User> u = find(username);
        return u.isPresent() && store.delete(u.get().subject());
    }

    /** The user with this username, compared ignoring case; empty for a username no user could have. */
    public Optional<User> find(String username) {
        if (username == null || !plausibleUsername(username)) {
            return Optional.empty();
        }
        return store.findByUsername(username.strip());
    }

    public Optional<User> findBySubject(String subject) {
        return subject == null ? Optional.empty() : store.findBySubject(subject);
    }

    public List<User> list() {
        return store.list();
    }

    /**
     * Checks a username and password, taking the same time whether the user exists or not. On success
     * a hash made with weaker parameters than the current ones is replaced (the password is at hand
     * only now).
     */
    public Authentication authenticate(String username, char[] password) {
        Optional<User> found = find(username);
        if (found.isEmpty()) {
            hasher.verifyAgainstDummy(password);
            return new Authentication(Authentication.Outcome.UNKNOWN_USER, null);
        }
        User user = found.get();
        if (user.passwordHash() == null) {
            hasher.verifyAgainstDummy(password);
            return new Authentication(Authentication.Outcome.NO_PASSWORD, user);
        }
        if (!hasher.verify(password, user.passwordHash())) {
            return new Authentication(Authentication.Outcome.WRONG_PASSWORD, user);
        }
        // checked after the password, so only someone who knows it learns the account is disabled
        if (!user.enabled()) {
            return new Authentication(Authentication.Outcome.DISABLED, user);
        }
        if (hasher.needsRehash(user.passwordHash())) {
            user = replaceHash(user, hasher.hash(password), false);
        }
        return new Authentication(Authentication.Outcome.SIGNED_IN, user);
    }

    /** A new subject: 128 random bits, base64url (22 characters). */
    public static String newSubject() {
        return Secrets.generate(128);
    }

    /**
     * The username as stored: trimmed, NFC, 1-{@value #MAX_USERNAME_LENGTH} characters, without
     * control, formatting, private-use or unassigned characters.
     */
    public static String checkUsername(String username) {
        if (username == null || username.isBlank()) {
            throw new InvalidUserException("username is empty");
        }
        String u = Normalizer.normalize(username.strip(), Normalizer.Form.NFC);
        int length = u.codePointCount(0, u.length());
        if (length > MAX_USERNAME_LENGTH) {
            throw new InvalidUserException("username is longer than " + MAX_USERNAME_LENGTH + " characters");
        }
        for (int i = 0; i < u.length(); ) {
            int cp = u.codePointAt(i);
            switch (Character.getType(cp)) {
                case Character.CONTROL, Character.FORMAT, Character.SURROGATE, Character.PRIVATE_USE, Character.UNASSIGNED,
                     Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR ->
                        throw new InvalidUserException("username contains a control or invisible character (U+"
                                + String.format("%04X", cp) + ")");
                default -> { }
            }
            i += Character.charCount(cp);
        }
        if (UsernameKey.of(u).length() > MAX_USERNAME_KEY_LENGTH) {
            throw new InvalidUserException("username is too long once normalised");
        }
        return u;
    }

    /** Roles as stored: each a token (RFC 6749 §3.3 syntax), duplicates dropped, order kept. */
    public static List<String> checkRoles(List<String> roles) {
        if (roles == null) {
            return List.of();
        }
        LinkedHashSet<String> out = new LinkedHashSet<>();
        for (String r : roles) {
            if (r == null || r.isBlank()) {
                throw new InvalidUserException("a role is empty");
            }
            String role = r.strip();
            if (!ROLE.matcher(role).matches()) {
                throw new InvalidUserException("role '" + role + "' may hold only printable ASCII without spaces, \" or \\");
            }
            if (role.length() > MAX_ROLE_LENGTH) {
                throw new InvalidUserException("role names are at most " + MAX_ROLE_LENGTH + " characters");
            }
            out.add(role);
        }
        if (out.size() > MAX_ROLES) {
            throw new InvalidUserException("a user has at most " + MAX_ROLES + " roles");
        }
        return List.copyOf(out);
    }

    /**
     * The password rules (NIST SP 800-63B §5.1.1.2): at least the configured length (8 by default),
     * at most {@value #MAX_PASSWORD_LENGTH} characters, any printable Unicode including spaces.
     */
    public void checkPassword(char[] password) {
        if (password == null || password.length == 0) {
            throw new InvalidUserException("the password is empty");
        }
        int length = 0;
        for (int i = 0; i < password.length; i++) {
            char c = password[i];
            if (Character.isHighSurrogate(c) && i + 1 < password.length && Character.isLowSurrogate(password[i + 1])) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new InvalidUserException("the password is not valid Unicode text");
            } else if (Character.isISOControl(c)) {
                throw new InvalidUserException("the password contains a control character");
            }
            length++;
        }
        if (length < minPasswordLength) {
            throw new InvalidUserException("the password must be at least " + minPasswordLength + " characters");
        }
        if (password.length > MAX_PASSWORD_LENGTH) {
            throw new InvalidUserException("the password must be at most " + MAX_PASSWORD_LENGTH + " characters");
        }
    }

    private static String checkPasswordHash(String hash) {
        if (hash == null || !Argon2idHasher.wellFormed(hash.strip())) {
            throw new InvalidUserException("password_hash must be an Argon2id PHC string "
                    + "($argon2id$v=19$m=…,t=…,p=…$salt$hash, salt ≥ 8 and hash ≥ 16 bytes, m ≤ "
                    + Argon2idHasher.MAX_MEMORY_KIB + " KiB)");
        }
        return hash.strip();
    }

    private User replaceHash(User u, String hash, boolean touch) {
        User changed = new User(u.subject(), u.username(), u.claims(), u.roles(), hash, u.enabled(), u.createdAt(),
                touch ? clock.instant().getEpochSecond() : u.updatedAt(), u.fhirUser());
        store.update(changed);
        return changed;
    }

    private User require(String username) {
        return find(username).orElseThrow(() -> new InvalidUserException("no user " + username));
    }

    private InvalidUserException taken(String username) {
        String holder = store.findByUsername(username).map(User::username).orElse(username);
        return new InvalidUserException("username " + username + " is taken"
                + (holder.equals(username) ? "" : " (by " + holder + "; usernames are compared ignoring case)"));
    }

    /** Cheap pre-check before a lookup, so absurd input never reaches the database. */
    private static boolean plausibleUsername(String username) {
        return !username.isBlank() && username.length() <= 4 * MAX_USERNAME_LENGTH;
    }

    private record Checked(String username, Map<String, Object> claims, List<String> roles, String fhirUser) {}

    private static Checked check(UserProfile profile) {
        String username = checkUsername(profile.username());
        Map<String, Object> claims = Collections.unmodifiableMap(new LinkedHashMap<>(StandardClaims.check(profile.claims())));
        List<String> roles = checkRoles(profile.roles() == null ? null : new ArrayList<>(profile.roles()));
        return new Checked(username, claims, roles, FhirUser.check(profile.fhirUser()));
    }
}
