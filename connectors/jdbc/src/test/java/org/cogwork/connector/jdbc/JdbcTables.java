package org.cogwork.connector.jdbc;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import org.cogwork.api.data.DataType;
import org.cogwork.api.data.Field;
import org.cogwork.api.data.Row;
import org.cogwork.api.data.RowCursor;
import org.cogwork.api.data.Schema;
import org.cogwork.api.query.Query;
import org.cogwork.connector.file.FileSource;
import org.junit.jupiter.api.Assumptions;
import org.osgi.util.converter.Converters;

/** The JDBC connector built outside OSGi, as its DS component would be, and a loader of the credit data into a table. */
final class JdbcTables {
    private JdbcTables() {
    }

    static <T> T config(Class<T> type, Map<String, Object> props) {
        return Converters.standardConverter().convert(props).to(type);
    }


    static JdbcSource jdbc(String id, String url, String user, String password, Path dataDir) {
        Map<String, Object> p = new HashMap<>();
        p.put("cogwork.source.id", id);
        p.put("url", url);
        p.put("user", user);
        p.put("password", password);
        return new JdbcSource(config(JdbcSourceConfig.class, p), dataDir.toString());
    }

    /**
     * Whether a database server answers. On a machine without one the test is skipped with a visible message;
     * in CI ({@code CI=true}) a missing server is a failure, never a skip.
     */
    static void requireServer(String url, String user, String password) {
        try (Connection c = DriverManager.getConnection(url, user, password)) {
            c.isValid(2);
        } catch (SQLException e) {
            String msg = "no database at " + url + " (" + e.getMessage() + ")";
            if ("true".equals(System.getenv("CI"))) {
                throw new AssertionError(msg + ": CI must run this test against a real server", e);
            }
            System.out.println("SKIPPED: " + msg);
            Assumptions.abort(msg);
        }
    }

    /** Creates {@code table} with the columns of {@code schema} and copies every row of the file into it. */
    static void load(String url, String user, String password, String table, Schema schema, FileSource from,
                     String dataset) throws Exception {
        try (Connection c = DriverManager.getConnection(url, user, password)) {
            String q = c.getMetaData().getIdentifierQuoteString().trim();
            try (Statement st = c.createStatement()) {
                st.execute("DROP TABLE IF EXISTS " + q + table + q);
                StringBuilder ddl = new StringBuilder("CREATE TABLE " + q + table + q + " (");
                for (int i = 0; i < schema.size(); i++) {
                    Field f = schema.fields().get(i);
                    ddl.append(i == 0 ? "" : ", ").append(q).append(f.name()).append(q).append(' ').append(sqlType(f.type()));
                }
                st.execute(ddl.append(")").toString());
            }
            String marks = String.join(", ", java.util.Collections.nCopies(schema.size(), "?"));
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + q + table + q + " VALUES (" + marks + ")");
                 RowCursor rows = from.read(dataset, Query.all()).open()) {
                int n = 0;
                while (rows.hasNext()) {
                    Row r = rows.next();
                    for (int i = 0; i < schema.size(); i++) {
                        ps.setObject(i + 1, r.get(i));
                    }
                    ps.addBatch();
                    if (++n % 1000 == 0) {
                        ps.executeBatch();
                    }
                }
                ps.executeBatch();
            }
            c.commit();
        }
    }

    private static String sqlType(DataType t) {
        return switch (t) {
            case INT -> "BIGINT";
            case DOUBLE -> "DOUBLE PRECISION";
            case BOOLEAN -> "BOOLEAN";
            case DATE -> "DATE";
            case TIMESTAMP -> "TIMESTAMP";
            case TEXT -> "TEXT";
            default -> "VARCHAR(255)";
        };
    }

}
