package org.cogwork.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** JDBC sources through the REST API: embedded H2 by default, a real PostgreSQL, secrets and failures. */
class JdbcSourceTest {
    static final String PG = "jdbc:postgresql://127.0.0.1:5432/test";
    static final String SECRET = "never-show-this-8c1e";

    @TempDir
    static Path tmp;
    static Cogwork cogwork;

    @BeforeAll
    static void boot() throws Exception {
        cogwork = Cogwork.fresh(tmp).start();
    }

    @AfterAll
    static void shutdown() throws Exception {
        if (cogwork != null) {
            cogwork.stop();
            assertFalse(cogwork.log().contains(SECRET), "the password must never reach the log");
        }
    }

    @Test
    void embeddedH2IsTheDefault() throws Exception {
        Cogwork.Response r = FileSourceTest.create(cogwork, "local", "jdbc", "{}");
        assertEquals(201, r.status(), r.body());
        assertEquals(200, cogwork.post("/api/sources/local/test", new byte[0], "application/json").status());
        assertEquals(0, cogwork.get("/api/sources/local/datasets").json().size());
        assertTrue(Files.exists(cogwork.home.resolve("data/sources/local.mv.db")), "H2 file in the runtime's data/");
        assertEquals(404, cogwork.get("/api/sources/local/datasets/nothing/schema").status());
    }

    @Test
    void postgresTableIsQueriedAndThePasswordNeverShown() throws Exception {
        try (Connection c = connectOrSkip()) {
            loadBadCredits(c);
        }
        Cogwork.Response r = FileSourceTest.create(cogwork, "pg", "jdbc",
                "{\"url\": \"" + PG + "\", \"user\": \"postgres\", \"password\": \"" + SECRET + "\", \"types\": \"Status:CATEGORICAL\"}");
        assertEquals(201, r.status(), r.body());
        assertFalse(r.body().contains(SECRET), r.body());
        assertFalse(cogwork.get("/api/sources").body().contains(SECRET));
        assertFalse(cogwork.get("/api/services").body().contains(SECRET), "private property, not a service property");
        assertEquals("********", cogwork.get("/api/sources/pg").json().path("config").path("password").asText());

        JsonNode schema = cogwork.get("/api/sources/pg/datasets/itest_credit/schema").json().path("fields");
        assertEquals("CATEGORICAL", schema.get(0).path("type").asText(), "type override applied");
        JsonNode page = FileSourceTest.query(cogwork, "pg", "itest_credit",
                "{\"where\": {\"column\": \"Status\", \"op\": \"=\", \"value\": \"bad\"}, \"orderBy\": [{\"column\": \"Amount\", \"desc\": true}], \"limit\": 3}").json();
        assertEquals(List.of(5000L, 4500L, 4000L), List.of(page.path("rows").get(0).get(1).asLong(),
                page.path("rows").get(1).get(1).asLong(), page.path("rows").get(2).get(1).asLong()), page.toString());
        assertEquals(3, page.path("nextOffset").asInt());
    }

    @Test
    void newRowsInATableAreARefreshEvent() throws Exception {
        try (Connection c = connectOrSkip(); Statement st = c.createStatement()) {
            st.execute("DROP TABLE IF EXISTS itest_growing");
            st.execute("CREATE TABLE itest_growing (id BIGINT, label VARCHAR(8))");
            st.execute("INSERT INTO itest_growing VALUES (1, 'good')");
            Cogwork.Response r = FileSourceTest.create(cogwork, "growing", "jdbc", "{\"url\": \"" + PG
                    + "\", \"user\": \"postgres\", \"refresh.interval.seconds\": 1, \"change.column\": \"id\"}");
            assertEquals(201, r.status(), r.body());
            Thread.sleep(1500);
            st.execute("INSERT INTO itest_growing VALUES (2, 'bad')");
            JsonNode events = cogwork.await("/api/events?topic=cogwork/connector/REFRESHED",
                    e -> e.findValuesAsText("dataset").contains("itest_growing"), java.time.Duration.ofSeconds(10));
            assertTrue(events.findValuesAsText("source.id").contains("growing"), events.toString());
        }
    }

    @Test
    void unreachableDatabaseIsAClearErrorNotAHang() throws Exception {
        int closed = Cogwork.freePort();
        Cogwork.Response r = FileSourceTest.create(cogwork, "down", "jdbc",
                "{\"url\": \"jdbc:postgresql://127.0.0.1:" + closed + "/test\", \"connect.timeout.seconds\": 2}");
        assertEquals(201, r.status(), r.body());
        long t0 = System.nanoTime();
        Cogwork.Response test = cogwork.post("/api/sources/down/test", new byte[0], "application/json");
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(502, test.status(), test.body());
        assertTrue(test.json().path("detail").asText().contains("127.0.0.1:" + closed), test.body());
        assertTrue(ms < 10_000, "answered in " + ms + " ms");
        assertEquals(502, cogwork.get("/api/sources/down/datasets").status());
        Cogwork.Response bad = FileSourceTest.create(cogwork, "oracle", "jdbc", "{\"url\": \"jdbc:oracle:thin:@x\"}");
        assertEquals(400, bad.status());
        assertTrue(bad.json().path("detail").asText().contains("unsupported database"), bad.body());
    }

    static Connection connectOrSkip() {
        try {
            return DriverManager.getConnection(PG, "postgres", "");
        } catch (Exception e) {
            if ("true".equals(System.getenv("CI"))) {
                throw new AssertionError("CI must run against PostgreSQL at " + PG, e);
            }
            System.out.println("SKIPPED: no PostgreSQL at " + PG + ": " + e.getMessage());
            Assumptions.abort("no PostgreSQL at " + PG);
            return null;
        }
    }

    /** The bad credits of credit_data.csv (Status, Amount), read with a plain parser: the test's own view of the data. */
    private static void loadBadCredits(Connection c) throws Exception {
        try (Statement st = c.createStatement()) {
            st.execute("DROP TABLE IF EXISTS itest_credit");
            st.execute("CREATE TABLE itest_credit (\"Status\" VARCHAR(8), \"Amount\" BIGINT)");
        }
        List<String> lines = Files.readAllLines(FileSourceTest.DATA.resolve("credit_data.csv"));
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO itest_credit VALUES (?, ?)")) {
            for (String line : lines.subList(1, lines.size())) {
                String[] cells = line.split(",");
                ps.setString(1, cells[0].replace("\"", ""));
                ps.setLong(2, Long.parseLong(cells[12]));
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }
}
