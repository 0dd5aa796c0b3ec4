package dev.latch.server.storage;

import java.time.Duration;

/**
 * A named lease in {@code maintenance_leases}, shared by every node of one database: taken with a
 * single conditional UPDATE, so of nodes racing for a free lease exactly one wins, and nobody takes
 * a lease that is held.
 */
public final class Lease {

    private final Sql sql;
    private final String name;
    private final String holder;

    /** @param holder who takes it: this node, unique among the nodes */
    public Lease(Sql sql, String name, String holder) {
        this.sql = sql;
        this.name = name;
        this.holder = holder;
    }

    /** Takes the lease until {@code nowMillis + term} if nobody holds it now; true when taken. */
    public boolean take(long nowMillis, Duration term) {
        if (sql.update("UPDATE maintenance_leases SET holder = ?, held_until = ? WHERE name = ? AND held_until <= ?",
                holder, nowMillis + term.toMillis(), name, nowMillis) == 1) {
            return true;
        }
        // a lease no migration created: the first node to insert it holds it
        return sql.queryOne("SELECT 1 FROM maintenance_leases WHERE name = ?", rs -> 1, name).isEmpty()
                && sql.insertUnique("INSERT INTO maintenance_leases (name, holder, held_until) VALUES (?, ?, ?)",
                        name, holder, nowMillis + term.toMillis());
    }

    /** Extends the lease to {@code nowMillis + term} if this holder still has it; true when extended. */
    public boolean renew(long nowMillis, Duration term) {
        return sql.update("UPDATE maintenance_leases SET held_until = ? WHERE name = ? AND holder = ? AND held_until > ?",
                nowMillis + term.toMillis(), name, holder, nowMillis) == 1;
    }

    /** Who holds it now (null when nobody has or it lapsed). */
    public String holderAt(long nowMillis) {
        return sql.queryOne("SELECT holder FROM maintenance_leases WHERE name = ? AND held_until > ?", rs -> rs.getString(1),
                name, nowMillis).orElse(null);
    }
}
