package dev.latch.server.keys;

import dev.latch.server.audit.Audit;
import dev.latch.server.audit.AuditEvent;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.SignedJWT;
import dev.latch.core.jose.JwsAlgorithms;
import dev.latch.core.jose.KeyGeneration;
import dev.latch.server.cpu.CpuPool;
import dev.latch.server.http.RepeatedWarning;
import dev.latch.server.storage.Sql;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's signing keys as the endpoints use them: the active key per algorithm with a ready
 * signer, and the published JWKS with its ETag. It reloads from the store every few seconds, so a
 * rotation made by {@code latch keys rotate} on the same database is seen by every node.
 */
public final class KeyRing {

    private static final Logger LOG = LoggerFactory.getLogger(KeyRing.class);
    /** Failed reloads while the database is down, in one line per minute. */
    private static final RepeatedWarning UNREACHABLE = new RepeatedWarning(LOG, 60, java.util.concurrent.TimeUnit.SECONDS, System::nanoTime);

    private final KeyStore store;
    private final Clock clock;
    private final Duration jwksMaxAge;
    private final Duration maxTokenLifetime;
    private final Map<String, JWSSigner> signers = new ConcurrentHashMap<>();
    private volatile Snapshot snapshot;
    private volatile long loadedAt;
    private final AtomicBoolean reloading = new AtomicBoolean();
    private final long reloadMillis;

    /** What the ring holds at one moment. */
    public record Snapshot(List<SigningKey> keys, String jwksJson, String etag, long at) {}

    /** The active key for one algorithm with its signer. */
    public record ActiveKey(SigningKey key, JWSSigner signer) {

        /**
         * Signs {@code jws} on {@code cpu}'s platform threads (the caller, a request's virtual thread, waits:
         * see {@link CpuPool}) and returns its compact serialization.
         *
         * @throws CpuPool.Busy when the pool's queue is full
         */
        public String sign(JWSObject jws, CpuPool cpu) {
            try {
                cpu.run(() -> {
                    jws.sign(signer);
                    return jws;
                });
            } catch (JOSEException e) {
                throw new IllegalStateException("signing failed with key " + key.kid() + ": " + e.getMessage(), e);
            }
            return jws.serialize();
        }
    }

    public KeyRing(KeyStore store, Clock clock, Duration jwksMaxAge, Duration maxTokenLifetime, Duration reloadInterval) {
        this.store = store;
        this.clock = clock;
        this.jwksMaxAge = jwksMaxAge;
        this.maxTokenLifetime = maxTokenLifetime;
        this.reloadMillis = reloadInterval.toMillis();
        reload();
    }

    public Duration jwksMaxAge() {
        return jwksMaxAge;
    }

    /**
     * How long a rotated-in key is published before it signs: the JWKS max-age plus the reload interval
     * (rounded up to whole seconds), since a node that has not reloaded yet still hands out a JWKS without
     * it, which a verifier may keep for the max-age.
     */
    public Duration publicationDelay() {
        return jwksMaxAge.plusSeconds((reloadMillis + 999) / 1000);
    }

    /** Reloads keys from the store now. */
    public synchronized void reload() {
        List<SigningKey> keys = store.all();
        long now = clock.instant().getEpochSecond();
        List<JWK> published = new ArrayList<>();
        for (SigningKey k : keys) {
            if (k.published(now)) {
                published.add(k.publicJwk());
            }
        }
        String json = new JWKSet(published).toString(true);
        snapshot = new Snapshot(List.copyOf(keys), json, etag(json), now);
        loadedAt = clock.millis();
    }

    /**
     * The current snapshot, reloaded when older than the reload interval. One caller reloads; the
     * others keep using the snapshot they have meanwhile instead of queueing to reload it again each.
     * While the database cannot be reached the last snapshot stays in use (keys change only through the
     * database, so it is still the truth) and the next reload is tried an interval later: JWKS, metadata
     * and signatures go on through an outage.
     */
    public Snapshot snapshot() {
        if (clock.millis() - loadedAt >= reloadMillis && reloading.compareAndSet(false, true)) {
            try {
                reload();
            } catch (Sql.Unavailable e) {
                loadedAt = clock.millis();
                UNREACHABLE.occurred("signing keys not reloaded, the last ones stay in use: " + e.getMessage());
            } finally {
                reloading.set(false);
            }
        }
        return snapshot;
    }

    /** The key that signs with {@code alg} now, creating the first key of that algorithm when none exists. */
    public ActiveKey active(JWSAlgorithm alg) {
        long now = clock.instant().getEpochSecond();
        Optional<SigningKey> key = activeIn(snapshot(), alg, now);
        if (key.isEmpty()) {
            key = Optional.of(ensureAlgorithm(alg));
        }
        SigningKey k = key.get();
        JWSSigner signer = signers.computeIfAbsent(k.kid(), kid -> {
            try {
                return JwsAlgorithms.signer(k.privateJwk(), k.alg());
            } catch (JOSEException e) {
                throw new IllegalStateException("key " + kid + " cannot sign: " + e.getMessage(), e);
            }
        });
        return new ActiveKey(k, signer);
    }

    private static Optional<SigningKey> activeIn(Snapshot s, JWSAlgorithm alg, long now) {
        // Two nodes may both create a first key; the oldest active one wins everywhere.
        return s.keys().stream().filter(k -> k.alg().equals(alg) && k.signing(now))
                .max(Comparator.comparingLong(SigningKey::activateAt).thenComparing(SigningKey::kid, Comparator.reverseOrder()));
    }

    /**
     * Makes sure {@code alg} has a signing key. The first key of an algorithm signs at once (no token
     * of that algorithm exists that a cached JWKS could be missing); later keys come by rotation.
     */
    public synchronized SigningKey ensureAlgorithm(JWSAlgorithm alg) {
        reload();
        long now = clock.instant().getEpochSecond();
        Optional<SigningKey> existing = activeIn(snapshot, alg, now);
        if (existing.isPresent()) {
            return existing.get();
        }
        boolean pending = snapshot.keys().stream().anyMatch(k -> k.alg().equals(alg) && k.privateJwk() != null && k.retiredAt() == null);
        if (pending) {
            // a rotated-in key is waiting for its activation time; the previous one must still be signing
            throw new IllegalStateException("no active " + alg + " key although one is scheduled");
        }
        JWK jwk = KeyGeneration.generate(alg);
        SigningKey key = new SigningKey(jwk.getKeyID(), alg, jwk.toPublicJWK(), jwk, now, now, null, null);
        store.insert(key);
        Audit.success(AuditEvent.KEY_ROTATE).kid(key.kid()).alg(alg.getName()).reason("the first key of its algorithm").write();
        LOG.info("created {} signing key {}", alg, key.kid());
        reload();
        return key;
    }

    /**
     * Rotates {@code alg}: the new key is published now (on every node by its next reload) and signs once
     * every cached JWKS has it (after {@link #publicationDelay()}); the old one signs until then and stays published until every token it
     * signed has expired. With {@code immediately} (a compromised key) the old key is withdrawn now.
     */
    public synchronized SigningKey rotate(JWSAlgorithm alg, JWK imported, boolean immediately) {
        reload();
        long now = clock.instant().getEpochSecond();
        for (SigningKey k : snapshot.keys()) {
            if (k.alg().equals(alg) && k.privateJwk() != null && k.retiredAt() == null && k.activateAt() > now && !immediately) {
                throw new IllegalStateException("a rotation of " + alg + " is already scheduled: key " + k.kid()
                        + " signs from " + java.time.Instant.ofEpochSecond(k.activateAt()));
            }
        }
        boolean anyBefore = snapshot.keys().stream().anyMatch(k -> k.alg().equals(alg) && k.signing(now));
        // every node publishes the key by its next reload; a JWKS fetched from a node just before that is cached for
        // the max-age, so the key signs only once the max-age has passed after the last node can have published it
        long activateAt = immediately || !anyBefore ? now : now + publicationDelay().toSeconds();
        JWK jwk = imported != null ? imported : KeyGeneration.generate(alg);
        SigningKey fresh = new SigningKey(jwk.getKeyID(), alg, jwk.toPublicJWK(), jwk, now, activateAt, null, null);
        if (snapshot.keys().stream().anyMatch(k -> k.kid().equals(fresh.kid()))) {
            throw new IllegalStateException("key " + fresh.kid() + " is already in the key store");
        }
        store.insert(fresh);
        for (SigningKey k : snapshot.keys()) {
            if (k.alg().equals(alg) && k.retiredAt() == null && k.privateJwk() != null) {
                long unpublish = immediately ? now : activateAt + maxTokenLifetime.toSeconds();
                store.retire(k.kid(), activateAt, unpublish);
            }
        }
        LOG.info("rotated {}: key {} signs from {}{}", alg, fresh.kid(), java.time.Instant.ofEpochSecond(activateAt),
                immediately ? " (old keys withdrawn immediately)" : "");
        reload();
        return fresh;
    }

    /**
     * Adds a key known only by its public part (from a configuration export): it is published on the
     * schedule it came with and never signs here.
     */
    public synchronized void importPublic(SigningKey key) {
        if (key.privateJwk() != null || key.publicJwk().isPrivate()) {
            throw new IllegalArgumentException("key " + key.kid() + ": only public parts are imported this way");
        }
        reload();
        if (snapshot.keys().stream().anyMatch(k -> k.kid().equals(key.kid()))) {
            throw new IllegalStateException("key " + key.kid() + " is already in the key store");
        }
        store.insert(key);
        LOG.info("imported public {} key {}", key.alg(), key.kid());
        reload();
    }

    /**
     * Withdraws a key from the JWKS now: for a retired key whose tokens need no more checking (or that
     * leaked), or a public-only imported key. A key that signs now or is scheduled to sign is refused:
     * taking it away would leave its algorithm without a key every JWKS cache knows.
     *
     * @return the key as it was before
     */
    public synchronized SigningKey unpublish(String kid) {
        reload();
        long now = clock.instant().getEpochSecond();
        SigningKey key = snapshot.keys().stream().filter(k -> k.kid().equals(kid)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no key " + kid));
        if (key.signing(now)) {
            throw new IllegalStateException("key " + kid + " signs " + key.alg() + " tokens now; replace it first with: latch keys rotate --alg "
                    + key.alg() + " --immediately");
        }
        if (key.privateJwk() != null && key.retiredAt() == null) {
            throw new IllegalStateException("key " + kid + " is scheduled to sign " + key.alg() + " tokens from "
                    + java.time.Instant.ofEpochSecond(key.activateAt()) + "; replace it first with: latch keys rotate --alg "
                    + key.alg() + " --immediately");
        }
        if (!key.published(now)) {
            throw new IllegalStateException("key " + kid + " is not published");
        }
        store.retire(kid, key.retiredAt() == null ? now : Math.min(key.retiredAt(), now), now);
        LOG.info("unpublished {} key {}", key.alg(), kid);
        reload();
        return key;
    }

    /** Any stored key with this kid, published or not (for checking old signatures such as id_token_hint). */
    public Optional<SigningKey> byKid(String kid) {
        return snapshot().keys().stream().filter(k -> k.kid().equals(kid)).findFirst();
    }

    /**
     * {@code token} parsed, when it is a JWS signed by one of the stored keys (retired ones included,
     * so an old ID token still counts as a logout hint) with the algorithm that key is for; empty for
     * anything else. Only the signature is checked: each caller checks the type and claims it needs.
     * The signature is checked on the calling thread: for rare checks (a logout hint).
     */
    public Optional<SignedJWT> verifiedJwt(String token) {
        return verifiedJwt(token, null);
    }

    /**
     * As {@link #verifiedJwt(String)}, the signature checked on {@code cpu} while the caller waits: for
     * checks made at request rate (introspection, userinfo), which on the request's virtual thread would
     * be served unfairly at saturation (see {@link CpuPool}).
     *
     * @param cpu the pool, or null for the calling thread
     * @throws CpuPool.Busy when the pool's queue is full
     */
    public Optional<SignedJWT> verifiedJwt(String token, CpuPool cpu) {
        try {
            SignedJWT jwt = dev.latch.core.jose.JwtParsing.signedJwt(token);
            String kid = jwt.getHeader().getKeyID();
            if (kid == null) return Optional.empty();
            Optional<SigningKey> key = byKid(kid);
            if (key.isEmpty() || !key.get().alg().equals(jwt.getHeader().getAlgorithm()) || jwt.getState() != JWSObject.State.SIGNED) {
                return Optional.empty();
            }
            JWSVerifier verifier = JwsAlgorithms.verifier(key.get().publicJwk(), key.get().alg());
            boolean valid = cpu == null ? jwt.verify(verifier) : cpu.run(() -> jwt.verify(verifier));
            return valid ? Optional.of(jwt) : Optional.empty();
        } catch (ParseException | JOSEException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static String etag(String json) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(json.getBytes(StandardCharsets.UTF_8));
            return "\"" + HexFormat.of().formatHex(digest, 0, 16) + "\"";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
