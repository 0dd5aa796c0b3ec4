package dev.latch.server.storage;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/** Small JDBC helper so stores read as SQL plus mapping, not plumbing. */
public final class Sql {

    /** SQLSTATE for a unique or primary-key violation, in both H2 and PostgreSQL. */
    public static final String UNIQUE_VIOLATION = "23505";

    private final DataSource dataSource;
    private volatile Boolean h2;

    public Sql(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** True when the database is H2 (else PostgreSQL), for the few statements whose best form differs. */
    public boolean isH2() {
        Boolean known = h2;
        if (known == null) {
            try (Connection c = dataSource.getConnection()) {
                known = "H2".equals(c.getMetaData().getDatabaseProductName());
            } catch (SQLException e) {
                throw new StorageException(e);
            }
            h2 = known;
        }
        return known;
    }

    @FunctionalInterface
    public interface RowMapper<T> {
        T map(ResultSet row) throws SQLException;
    }

    @FunctionalInterface
    public interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    public <T> List<T> query(String sql, RowMapper<T> mapper, Object... args) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = prepare(c, sql, args); ResultSet rs = ps.executeQuery()) {
            List<T> out = new ArrayList<>();
            while (rs.next()) {
                out.add(mapper.map(rs));
            }
            return out;
        } catch (SQLException e) {
            throw new StorageException(e);
        }
    }

    public <T> Optional<T> queryOne(String sql, RowMapper<T> mapper, Object... args) {
        List<T> rows = query(sql, mapper, args);
        return rows.isEmpty() ? Optional.empty() : Optional.of(rows.get(0));
    }

    public int update(String sql, Object... args) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = prepare(c, sql, args)) {
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw new StorageException(e);
        }
    }

    /** Inserts a row; false when a row with the same key exists already (the race loser). */
    public boolean insertUnique(String sql, Object... args) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = prepare(c, sql, args)) {
            ps.executeUpdate();
            return true;
        } catch (SQLException e) {
            if (UNIQUE_VIOLATION.equals(e.getSQLState())) {
                return false;
            }
            throw new StorageException(e);
        }
    }

    /** Runs {@code work} in one transaction. */
    public <T> T transaction(Work<T> work) {
        try (Connection c = dataSource.getConnection()) {
            boolean auto = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(auto);
            }
        } catch (SQLException e) {
            throw new StorageException(e);
        }
    }

    public static PreparedStatement prepare(Connection c, String sql, Object... args) throws SQLException {
        PreparedStatement ps = c.prepareStatement(sql);
        for (int i = 0; i < args.length; i++) {
            ps.setObject(i + 1, args[i]);
        }
        return ps;
    }

    public static Long nullableLong(ResultSet rs, String column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? null : v;
    }

    /** A database failure; callers let it become a server_error. */
    public static final class StorageException extends RuntimeException {
        public StorageException(SQLException cause) {
            super(cause.getMessage(), cause);
        }
    }
}
