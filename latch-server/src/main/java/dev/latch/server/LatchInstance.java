package dev.latch.server;

import dev.latch.server.client.ClientRegistry;
import dev.latch.server.client.JdbcClientStore;
import dev.latch.server.config.ServerConfig;
import dev.latch.server.keys.JdbcKeyStore;
import dev.latch.server.keys.KeyRing;
import dev.latch.server.keys.MasterKey;
import dev.latch.server.outbound.OutboundPolicy;
import dev.latch.server.refresh.JdbcRefreshTokenStore;
import dev.latch.server.refresh.RefreshTokenStore;
import dev.latch.server.token.RevokedTokens;
import dev.latch.server.resource.ResourceProfiles;
import dev.latch.server.scope.ScopeCatalogue;
import dev.latch.server.storage.Database;
import dev.latch.server.storage.Sql;
import dev.latch.server.user.Argon2idHasher;
import dev.latch.server.user.JdbcUserStore;
import dev.latch.server.user.UserRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/**
 * One Latch instance's data: database, master key, keys, clients, scopes, users, resources' token profiles. Both {@code latch serve}
 * and the administrative commands open it; they may run at once on the same data.
 */
public final class LatchInstance implements AutoCloseable {

    private static final String MASTER_KEY_CHECK = "master_key_check";

    private final ServerConfig config;
    private final Clock clock;
    private final Database database;
    private final MasterKey masterKey;
    private final KeyRing keyRing;
    private final ScopeCatalogue scopes;
    private final ClientRegistry clients;
    private final UserRegistry users;
    private final RefreshTokenStore refreshTokens;
    private final ResourceProfiles resources;

    private LatchInstance(ServerConfig config, Clock clock, Database database, MasterKey masterKey) {
        this.config = config;
        this.clock = clock;
        this.database = database;
        this.masterKey = masterKey;
        Sql sql = database.sql();
        this.scopes = new ScopeCatalogue(sql, config.smart().enabled());
        this.keyRing = new KeyRing(new JdbcKeyStore(sql, masterKey), clock, config.tokens().jwksMaxAge(),
                config.tokens().maxAccessTokenLifetime(), Duration.ofSeconds(2));
        this.clients = new ClientRegistry(new JdbcClientStore(sql), scopes, masterKey, clock, config.tokens().maxAccessTokenLifetime(),
                new OutboundPolicy(config.outbound().allow()));
        this.refreshTokens = new JdbcRefreshTokenStore(sql, new RevokedTokens(sql)::revoke);
        ServerConfig.Argon2id argon2id = config.passwords().argon2id();
        this.users = new UserRegistry(new JdbcUserStore(sql),
                new Argon2idHasher(argon2id.memoryKib(), argon2id.iterations(), argon2id.parallelism()),
                clock, config.passwords().minLength());
        this.resources = new ResourceProfiles(sql, clock, config.tokens().defaultProfile());
    }

    /**
     * Opens the database (migrating it) and checks the master key against it.
     *
     * @throws IllegalStateException with a one-line reason when the master key does not fit the data
     */
    public static LatchInstance open(ServerConfig config, Clock clock) {
        ServerConfig.DatabaseSettings db = config.database();
        Database database = Database.open(config.dbUrlOrEmbedded(), db.user(), db.password(), db.poolSize(), db.timeouts());
        try {
            MasterKey masterKey = config.masterKey() != null
                    ? MasterKey.parse("master-key (LATCH_MASTER_KEY)", config.masterKey())
                    : MasterKey.fromDataDirectory(config.data());
            checkMasterKey(database.sql(), masterKey);
            return new LatchInstance(config, clock, database, masterKey);
        } catch (RuntimeException e) {
            database.close();
            throw e;
        }
    }

    private static void checkMasterKey(Sql sql, MasterKey masterKey) {
        Optional<String> check = sql.queryOne("SELECT setting_value FROM settings WHERE name = ?", rs -> rs.getString(1), MASTER_KEY_CHECK);
        if (check.isEmpty()) {
            if (sql.insertUnique("INSERT INTO settings (name, setting_value) VALUES (?, ?)", MASTER_KEY_CHECK, masterKey.encrypt(MASTER_KEY_CHECK, "latch"))) {
                return;
            }
            // another node starting on the same new database wrote it first: ours must match theirs
            check = sql.queryOne("SELECT setting_value FROM settings WHERE name = ?", rs -> rs.getString(1), MASTER_KEY_CHECK);
        }
        if (!fits(check.get(), masterKey)) {
            throw new IllegalStateException("the master key (LATCH_MASTER_KEY or master.key in the data directory) is not the one "
                    + "this database was created with; its keys and secrets cannot be read");
        }
    }

    /**
     * Whether {@code masterKey} is the one the database was created with, without changing anything
     * (for {@code latch backup} and {@code latch restore}, which must not migrate or write).
     *
     * @return empty when the database holds no key check yet (no instance has opened it), else whether the key fits
     */
    public static Optional<Boolean> masterKeyFits(Sql sql, MasterKey masterKey) {
        return sql.queryOne("SELECT setting_value FROM settings WHERE name = ?", rs -> rs.getString(1), MASTER_KEY_CHECK)
                .map(check -> fits(check, masterKey));
    }

    /** The {@code settings} row that records which master key a database was made with (read from a dump by {@code latch restore}). */
    public static String masterKeyCheckSetting() {
        return MASTER_KEY_CHECK;
    }

    /** Whether {@code masterKey} made {@code check}, the value of the {@link #masterKeyCheckSetting()} row. */
    public static boolean fits(String check, MasterKey masterKey) {
        try {
            masterKey.decrypt(MASTER_KEY_CHECK, check);
            return true;
        } catch (IllegalStateException e) {
            return false;
        }
    }

    public ServerConfig config() { return config; }
    public Clock clock() { return clock; }
    public Database database() { return database; }
    public MasterKey masterKey() { return masterKey; }
    public KeyRing keyRing() { return keyRing; }
    public ScopeCatalogue scopes() { return scopes; }
    public ClientRegistry clients() { return clients; }
    public UserRegistry users() { return users; }
    public ResourceProfiles resources() { return resources; }

    /** Creates SMART EHR launches on this instance's data (for {@code latch smart launch}; a running server sees them at once). */
    public dev.latch.server.smart.Launches launches() {
        return new dev.latch.server.smart.Launches(new dev.latch.server.smart.LaunchStore(database.sql()), clients::find, users.store(),
                config.smart(), clock);
    }

    /** Refresh-token families; revoking one puts the access tokens issued under it on the deny-list. */
    public RefreshTokenStore refreshTokens() { return refreshTokens; }

    @Override
    public void close() {
        database.close();
    }
}
