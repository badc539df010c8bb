package org.cogwork.registry.internal;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;

/**
 * The registry on a real PostgreSQL server (127.0.0.1:5432, database test, user postgres), each test class run in
 * a fresh schema (dropped afterwards). Skipped with a message where no server answers; never skipped in CI.
 */
class PostgresRegistryTest extends RegistryContractTest {
    static final String URL = System.getProperty("cogwork.test.postgres.url", "jdbc:postgresql://127.0.0.1:5432/test");
    static final String USER = System.getProperty("cogwork.test.postgres.user", "postgres");
    static final String SCHEMA = "cw_registry_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    static boolean created;

    @Override
    Map<String, Object> dbConfig() throws Exception {
        if (!created) {
            try (Connection c = DriverManager.getConnection(URL, USER, ""); Statement st = c.createStatement()) {
                st.execute("CREATE SCHEMA " + SCHEMA);
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
        return Map.of("url", URL + "?currentSchema=" + SCHEMA, "user", USER);
    }

    @AfterAll
    static void dropSchema() throws SQLException {
        if (created) {
            try (Connection c = DriverManager.getConnection(URL, USER, ""); Statement st = c.createStatement()) {
                st.execute("DROP SCHEMA " + SCHEMA + " CASCADE");
            }
        }
    }
}
