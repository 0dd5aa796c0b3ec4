package dev.latch.server.signin;

import dev.latch.server.user.User;
import dev.latch.server.user.UserStore;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/** A {@link UserStore} in memory, for sign-in tests until the JDBC store lands. */
public final class InMemoryUsers implements UserStore {

    private final Map<String, User> bySubject = new ConcurrentHashMap<>();

    /** Adds an enabled user with {@code password} hashed by {@code hasher}; returns it. */
    public User add(String username, String password, TestPasswordHasher hasher) {
        dev.latch.server.SuiteSecrets.record(password);
        User u = new User(UUID.randomUUID().toString(), username, Map.of("name", username), List.of(), hasher.hash(password.toCharArray()),
                true, 0, 0);
        insert(u);
        return u;
    }

    @Override public Optional<User> findByUsername(String username) {
        return bySubject.values().stream().filter(u -> u.username().equals(username)).findFirst();
    }
    @Override public Optional<User> findBySubject(String subject) { return Optional.ofNullable(bySubject.get(subject)); }
    @Override public List<User> list() { return List.copyOf(bySubject.values()); }
    @Override public boolean insert(User user) {
        if (findByUsername(user.username()).isPresent()) return false;
        return bySubject.putIfAbsent(user.subject(), user) == null;
    }
    @Override public boolean update(User user) { return bySubject.replace(user.subject(), user) != null; }
    @Override public boolean delete(String subject) { return bySubject.remove(subject) != null; }
}
