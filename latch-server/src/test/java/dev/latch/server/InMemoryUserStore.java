package dev.latch.server;

import dev.latch.server.user.User;
import dev.latch.server.user.UserStore;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** A {@link UserStore} in memory, for tests of what the server does with users it finds. */
public final class InMemoryUserStore implements UserStore {

    private final Map<String, User> bySubject = new ConcurrentHashMap<>();

    @Override
    public Optional<User> findByUsername(String username) {
        return bySubject.values().stream().filter(u -> u.username().equals(username)).findFirst();
    }

    @Override
    public Optional<User> findBySubject(String subject) {
        return Optional.ofNullable(bySubject.get(subject));
    }

    @Override
    public List<User> list() {
        return List.copyOf(bySubject.values());
    }

    @Override
    public synchronized boolean insert(User user) {
        if (bySubject.containsKey(user.subject()) || findByUsername(user.username()).isPresent()) {
            return false;
        }
        bySubject.put(user.subject(), user);
        return true;
    }

    @Override
    public synchronized boolean update(User user) {
        return bySubject.replace(user.subject(), user) != null;
    }

    @Override
    public boolean delete(String subject) {
        return bySubject.remove(subject) != null;
    }
}
