package dev.latch.server.smart;

import dev.latch.server.storage.BatchDelete;
import com.fasterxml.jackson.core.JsonProcessingException;
import dev.latch.core.smart.LaunchContext;
import dev.latch.server.authorize.EhrLaunches;
import dev.latch.server.http.Json;
import dev.latch.server.secret.Secrets;
import dev.latch.server.storage.Sql;
import java.util.Optional;

/**
 * EHR launches (SMART App Launch 2.2 §"EHR Launch") on the {@code smart_launches} table: the
 * {@code launch} value is 256 random bits, stored only as its digest, valid until the end {@link Launches} gives it
 * ({@code smart.launch-lifetime}, 5 minutes by default) and used up by the one authorization that issues a code for it
 * (an atomic {@code UPDATE … WHERE used_at IS NULL}, so across nodes too).
 */
public final class LaunchStore implements EhrLaunches {

    private final Sql sql;

    public LaunchStore(Sql sql) {
        this.sql = sql;
    }

    /** Stores {@code launch} (its {@code expiresAt} decides its end) and returns the new launch value. */
    public String create(EhrLaunch launch, long now) {
        String value = Secrets.generate(256);
        sql.update("INSERT INTO smart_launches (launch_digest, client_id, iss, username, context, created_at, expires_at) "
                        + "VALUES (?, ?, ?, ?, ?, ?, ?)", Secrets.digest(value), launch.clientId(), launch.iss(), launch.username(),
                Json.write(launch.context()), now, launch.expiresAt());
        return value;
    }

    @Override
    public Optional<EhrLaunch> find(String launch, long now) {
        if (launch == null || launch.isEmpty() || launch.length() > 200) {
            return Optional.empty();
        }
        return sql.queryOne("SELECT client_id, iss, username, context, expires_at FROM smart_launches "
                        + "WHERE launch_digest = ? AND used_at IS NULL AND expires_at > ?",
                rs -> new EhrLaunch(rs.getString(1), rs.getString(2), rs.getString(3), parse(rs.getString(4)), rs.getLong(5)),
                Secrets.digest(launch), now);
    }

    @Override
    public boolean consume(String launch, long now) {
        if (launch == null || launch.isEmpty() || launch.length() > 200) {
            return false;
        }
        return sql.update("UPDATE smart_launches SET used_at = ? WHERE launch_digest = ? AND used_at IS NULL AND expires_at > ?",
                now, Secrets.digest(launch), now) == 1;
    }

    /** Forgets launches that ended before {@code now}, used or not. */
    public int purgeExpired(long now) {
        return purgeExpired(now, BatchDelete.DEFAULT);
    }

    public int purgeExpired(long now, BatchDelete delete) {
        return delete.rows(sql, "smart_launches", "launch_digest", "expires_at < ?", now);
    }

    private static LaunchContext parse(String json) {
        try {
            return Json.MAPPER.readValue(json, LaunchContext.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored launch is unreadable", e);
        }
    }
}
