package org.cogwork.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** /api/sources with the file connector, on the real credit data, as an integrator would use it. */
class FileSourceTest {
    static final Path DATA = Path.of("../../shared/data").toAbsolutePath().normalize();

    @TempDir
    static Path tmp;
    static Cogwork cogwork;

    @BeforeAll
    static void boot() throws Exception {
        cogwork = Cogwork.fresh(tmp).start();
        Cogwork.Response r = create("credit", "file", "{\"path\": \"" + DATA.resolve("credit_data.csv") + "\"}");
        assertEquals(201, r.status(), r.body());
    }

    @AfterAll
    static void shutdown() throws Exception {
        if (cogwork != null) {
            cogwork.stop();
        }
    }

    static Cogwork.Response create(String id, String kind, String config) throws Exception {
        return create(cogwork, id, kind, config);
    }

    /** Registers the file source "data" over ../shared/data, as the training and serving tests need it. */
    static void addSharedData(Cogwork cogwork) throws Exception {
        Cogwork.Response r = create(cogwork, "data", "file", "{\"path\": \"" + DATA + "\"}");
        assertEquals(201, r.status(), r.body());
    }

    static Cogwork.Response create(Cogwork cogwork, String id, String kind, String config) throws Exception {
        return cogwork.post("/api/sources", ("{\"id\": \"" + id + "\", \"kind\": \"" + kind + "\", \"config\": " + config + "}")
                .getBytes(StandardCharsets.UTF_8), "application/json");
    }

    static Cogwork.Response query(String source, String dataset, String json) throws Exception {
        return query(cogwork, source, dataset, json);
    }

    static Cogwork.Response query(Cogwork cogwork, String source, String dataset, String json) throws Exception {
        return cogwork.post("/api/sources/" + source + "/datasets/" + dataset + "/query",
                json.getBytes(StandardCharsets.UTF_8), "application/json");
    }

    @Test
    void datasetsSchemaAndPreview() throws Exception {
        JsonNode sources = cogwork.get("/api/sources").json();
        assertEquals("credit", sources.get(0).path("id").asText());
        assertEquals("ACTIVE", sources.get(0).path("status").asText());
        assertEquals("credit_data.csv", cogwork.get("/api/sources/credit/datasets").json().get(0).path("name").asText());
        JsonNode schema = cogwork.get("/api/sources/credit/datasets/credit_data.csv/schema").json().path("fields");
        assertEquals(14, schema.size());
        assertEquals("Status", schema.get(0).path("name").asText());
        assertEquals("CATEGORICAL", schema.get(0).path("type").asText());
        assertEquals("INT", schema.get(9).path("type").asText(), schema.get(9).toString());
        JsonNode preview = cogwork.get("/api/sources/credit/datasets/credit_data.csv/preview").json();
        assertEquals(20, preview.path("rows").size());
        assertEquals("[\"good\",9,\"rent\",60,30,\"married\",\"no\",\"freelance\",73,129,0,0,800,846]",
                preview.path("rows").get(0).toString(), "first row of credit_data.csv");
        // one service, found as a source and as a sink (issue 17)
        JsonNode services = cogwork.get("/api/services?objectClass=org.cogwork.api.connector.DataSink&filter=(cogwork.source.id=credit)").json();
        assertEquals(1, services.size(), services.toString());
        assertEquals("[\"org.cogwork.api.connector.DataSource\",\"org.cogwork.api.connector.DataSink\"]",
                services.get(0).path("objectClass").toString());
    }

    @Test
    void queryFiltersOrdersAndPages() throws Exception {
        JsonNode page = query("credit", "credit_data.csv", """
                {"select": ["Status", "Age", "Income"],
                 "where": {"and": [{"column": "Age", "op": ">=", "value": 30},
                                   {"column": "Home", "in": ["rent", "owner"]},
                                   {"not": {"column": "Income", "isNull": true}}]},
                 "orderBy": [{"column": "Income", "desc": true}], "limit": 5}""").json();
        assertEquals(5, page.path("rows").size(), page.toString());
        assertEquals(5, page.path("nextOffset").asInt());
        long previous = Long.MAX_VALUE;
        for (JsonNode row : page.path("rows")) {
            assertTrue(row.get(1).asInt() >= 30);
            assertTrue(row.get(2).asLong() <= previous, "ordered by income, descending");
            previous = row.get(2).asLong();
        }
        JsonNode bad = query("credit", "credit_data.csv", "{\"select\": [\"Status\"], \"where\": {\"column\": \"Status\", \"op\": \"=\", \"value\": \"bad\"}, \"limit\": 10000}").json();
        assertEquals(1254, bad.path("rows").size(), "1254 bad credits in the data README");
        assertTrue(bad.path("nextOffset").isNull());
        assertEquals(4454, bad.path("report").path("rowsRead").asInt());
    }

    @Test
    void badQueriesAre400sNamingTheField() throws Exception {
        Cogwork.Response unknown = query("credit", "credit_data.csv", "{\"where\": {\"column\": \"Incme\", \"op\": \">\", \"value\": 1}}");
        assertEquals(400, unknown.status());
        assertTrue(unknown.json().path("error").asText().startsWith("unknown column 'Incme' in where"), unknown.body());
        Cogwork.Response type = query("credit", "credit_data.csv", "{\"where\": {\"column\": \"Age\", \"op\": \">\", \"value\": \"old\"}}");
        assertEquals(400, type.status());
        assertEquals("value 'old' does not match column 'Age' of type INT", type.json().path("error").asText());
        Cogwork.Response op = query("credit", "credit_data.csv", "{\"where\": {\"and\": [{\"column\": \"Age\", \"op\": \"~\", \"value\": 1}]}}");
        assertEquals(400, op.status());
        assertEquals("where.and[0].op", op.json().path("field").asText());
        Cogwork.Response limit = query("credit", "credit_data.csv", "{\"limit\": 20000}");
        assertEquals("limit", limit.json().path("field").asText());
        assertEquals(400, query("credit", "credit_data.csv", "{\"where\": ").status(), "malformed JSON");
        Cogwork.Response noDataset = query("credit", "nope.csv", "{}");
        assertEquals(404, noDataset.status(), noDataset.body());
        assertTrue(noDataset.json().path("error").asText().contains("datasets are [credit_data.csv]"), noDataset.body());
        assertEquals(404, cogwork.get("/api/sources/nope/datasets").status());
    }

    @Test
    void badSourceDefinitionsAreRejectedAndLeaveNothingBehind() throws Exception {
        Cogwork.Response kind = create("x1", "nope", "{}");
        assertEquals(400, kind.status());
        assertTrue(kind.json().path("error").asText().contains("installed kinds: [file"), kind.body());
        Cogwork.Response policy = create("x2", "file", "{\"path\": \"" + tmp + "\", \"on.error\": \"maybe\"}");
        assertEquals(400, policy.status(), policy.body());
        assertEquals("on.error must be one of [fail, skip, null], was 'maybe'", policy.json().path("detail").asText());
        assertEquals(404, cogwork.get("/api/sources/x2").status(), "the rejected configuration is deleted");
        Cogwork.Response outside = create("x3", "file", "{\"path\": \"/etc\"}");
        assertEquals(400, outside.status(), outside.body());
        assertEquals("config.path", outside.json().path("field").asText(), "the setting at fault: " + outside.body());
        assertEquals(409, create("credit", "file", "{\"path\": \"/tmp\"}").status());
        assertEquals(400, create("bad id!", "file", "{}").status());

        Path gone = tmp.resolve("nonexistent/data.csv");
        assertEquals(201, create("gone", "file", "{\"path\": \"" + gone + "\"}").status());
        Cogwork.Response test = cogwork.post("/api/sources/gone/test", new byte[0], "application/json");
        assertEquals(502, test.status());
        assertTrue(test.json().path("detail").asText().contains(gone + " does not exist"), test.body());
        assertEquals(200, cogwork.post("/api/sources/credit/test", new byte[0], "application/json").status());
        assertEquals(200, cogwork.delete("/api/sources/gone").status());
        assertEquals(404, cogwork.get("/api/sources/gone").status());
    }

    @Test
    void datasetsInSubFoldersHaveSlashesInTheirNames() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("nested/2024"));
        Files.writeString(dir.resolve("sales.csv"), "region,amount\nnorth,10\nsouth,20\n");
        assertEquals(201, create("nested", "file", "{\"path\": \"" + tmp.resolve("nested") + "\"}").status());
        assertEquals("2024/sales.csv", cogwork.get("/api/sources/nested/datasets").json().get(0).path("name").asText());
        JsonNode schema = cogwork.get("/api/sources/nested/datasets/2024/sales.csv/schema").json();
        assertEquals("region", schema.path("fields").get(0).path("name").asText(), schema.toString());
        assertEquals(2, cogwork.get("/api/sources/nested/datasets/2024/sales.csv/preview").json().path("rows").size());
        assertEquals(1, query("nested", "2024/sales.csv", "{\"limit\": 1}").json().path("rows").size());
        assertEquals(404, cogwork.get("/api/sources/nested/datasets/2024/sales.csv/rows").status(), "no such action");
    }

    @Test
    void malformedRowsAreReportedWithLineNumbers() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("messy"));
        Files.writeString(dir.resolve("messy.csv"), "id,amount\n1,10\n2,ten\n3\n4,40\n");
        assertEquals(201, create("messy", "file", "{\"path\": \"" + dir + "\", \"on.error\": \"skip\", \"types\": \"amount:INT\"}").status());
        JsonNode page = query("messy", "messy.csv", "{}").json();
        assertEquals(2, page.path("rows").size());
        JsonNode report = page.path("report");
        assertEquals(2, report.path("rowsSkipped").asInt(), report.toString());
        assertEquals(3, report.path("problems").get(0).path("line").asInt());
        assertEquals("amount", report.path("problems").get(0).path("column").asText());
        assertEquals(4, report.path("problems").get(1).path("line").asInt());

        assertEquals(201, create("strict", "file", "{\"path\": \"" + dir + "\", \"types\": \"amount:INT\"}").status());
        Cogwork.Response strict = query("strict", "messy.csv", "{}");
        assertEquals(422, strict.status(), strict.body());
        assertTrue(strict.json().path("detail").asText().startsWith("line 3, column 'amount'"), strict.body());
    }

    @Test
    void sourcesFromConfigFilesAndRefreshEvents() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("incoming"));
        Files.copy(DATA.resolve("sklearn_iris.csv"), dir.resolve("iris.csv"));
        Files.writeString(cogwork.home.resolve("config/org.cogwork.connector.file-incoming.cfg"),
                "cogwork.source.id=incoming\npath=" + dir + "\nrefresh.interval.seconds=1\n");
        cogwork.await("/api/sources/incoming", s -> "ACTIVE".equals(s.path("status").asText()), Duration.ofSeconds(10));
        Thread.sleep(1500);
        Files.copy(DATA.resolve("sklearn_wine.csv"), dir.resolve("wine.csv"));
        JsonNode events = cogwork.await("/api/events?topic=cogwork/connector/REFRESHED",
                e -> e.size() > 0, Duration.ofSeconds(10));
        assertEquals("incoming", events.get(0).path("source.id").asText());
        assertEquals("wine.csv", events.get(0).path("dataset").asText());
        List<String> names = new ArrayList<>();
        cogwork.get("/api/sources/incoming/datasets").json().forEach(d -> names.add(d.path("name").asText()));
        assertEquals(List.of("iris.csv", "wine.csv"), names);
        assertNull(cogwork.get("/api/sources/incoming").json().path("config").get(".password"));
    }
}
