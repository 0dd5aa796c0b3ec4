package dev.latch.server.client;

import java.util.List;
import java.util.Optional;

/** Persistence of clients. */
public interface ClientStore {

    Optional<StoredClient> find(String clientId);

    List<StoredClient> list();

    /** @return false when a client with that id exists already */
    boolean insert(StoredClient client);

    /** Replaces the stored client with the same id; false when there is none. */
    boolean update(StoredClient client);

    boolean delete(String clientId);
}
