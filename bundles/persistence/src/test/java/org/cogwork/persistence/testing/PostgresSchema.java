package org.cogwork.persistence.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;

/**
 * A fresh schema on the real PostgreSQL server of the tests (127.0.0.1:5432, database test, user postgres; override
 * with -Dcogwork.test.postgres.url / .user), for a test class's stores. Made on first use, dropped by {@link #drop}.
 * Where no server answers the test is skipped with a message, except in CI (CI=true), where it fails: CI must run
 * every store test against a real server. Shared by the modules with tables through this module's test jar.
 */
public final class PostgresSchema {
    public static final String URL = System.getProperty("cogwork.test.postgres.url", "jdbc:postgresql://127.0.0.1:5432/test");
    public static final String USER = System.getProperty("cogwork.test.postgres.user", "postgres");

    private final String name;
    private boolean created;

    /** A schema named {@code prefix} and a random suffix; nothing happens until {@link #config}. */
    public PostgresSchema(String prefix) {
        this.name = prefix + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    }

    public String name() {
        return name;
    }

    /** The persistence settings (url, user) of a store in this schema; creates it the first time. */
    public synchronized Map<String, Object> config() {
        if (!created) {
            try (Connection c = DriverManager.getConnection(URL, USER, ""); Statement st = c.createStatement()) {
                st.execute("CREATE SCHEMA " + name);
                created = true;
            } catch (SQLException e) {
                String msg = "no PostgreSQL at " + URL + " (" + e.getMessage() + ")";
                if ("true".equals(System.getenv("CI"))) {
                    throw new AssertionError(msg + ": CI must run this test against a real server", e);
                }
                System.out.println("SKIPPED: " + msg);
                Assumptions.abort(msg);
            }
        }
        return Map.of("url", URL + "?currentSchema=" + name, "user", USER);
    }

    /** Drops the schema and everything in it, if it was made. */
    public synchronized void drop() throws SQLException {
        if (created) {
            try (Connection c = DriverManager.getConnection(URL, USER, ""); Statement st = c.createStatement()) {
                st.execute("DROP SCHEMA " + name + " CASCADE");
            }
            created = false;
        }
    }
}
