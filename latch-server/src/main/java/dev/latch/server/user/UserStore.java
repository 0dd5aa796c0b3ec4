package dev.latch.server.user;

import java.util.List;
import java.util.Optional;

/** Persistence of users. Usernames are unique (compared as given); subjects are unique and immutable. */
public interface UserStore {

    Optional<User> findByUsername(String username);

    Optional<User> findBySubject(String subject);

    List<User> list();

    /** @return false when the username (or subject) is taken */
    boolean insert(User user);

    /** Replaces the user with the same subject; false when there is none. */
    boolean update(User user);

    boolean delete(String subject);
}
