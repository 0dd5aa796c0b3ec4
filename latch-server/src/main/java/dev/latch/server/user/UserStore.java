package dev.latch.server.user;

import java.util.List;
import java.util.Optional;

/**
 * Persistence of users. Subjects are unique and immutable. Usernames are kept as given but unique
 * and looked up case-insensitively ({@link UsernameKey}): {@code findByUsername("ALICE")} finds
 * {@code Alice}, and {@code alice} cannot be inserted beside her.
 */
public interface UserStore {

    Optional<User> findByUsername(String username);

    Optional<User> findBySubject(String subject);

    /** Every user, ordered by username (compared ignoring case). */
    List<User> list();

    /** @return false when the username (or subject) is taken */
    boolean insert(User user);

    /**
     * Replaces the user with the same subject (its {@code createdAt} stays); false when there is none,
     * or when the user is renamed to a username another user holds (then nothing changes).
     */
    boolean update(User user);

    boolean delete(String subject);
}
