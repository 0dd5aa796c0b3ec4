package dev.latch.server.keys;

import java.util.List;

/** Persistence of signing keys, private parts encrypted under the master key. */
public interface KeyStore {

    List<SigningKey> all();

    void insert(SigningKey key);

    /** Sets retirement and unpublication times of a key. */
    void retire(String kid, long retiredAt, long unpublishAt);
}
