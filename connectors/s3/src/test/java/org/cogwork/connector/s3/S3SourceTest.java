package org.cogwork.connector.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.zip.GZIPOutputStream;
import org.cogwork.api.connector.DataSourceException;
import org.cogwork.api.connector.DatasetInfo;
import org.cogwork.api.connector.UnknownDatasetException;
import org.cogwork.api.data.DataType;
import org.cogwork.api.data.Dataset;
import org.cogwork.api.data.Field;
import org.cogwork.api.data.Row;
import org.cogwork.api.data.RowCursor;
import org.cogwork.api.data.Schema;
import org.cogwork.api.event.Topics;
import org.cogwork.api.query.Filter;
import org.cogwork.api.query.Query;
import java.net.URI;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.nio2blob.TransientNio2BlobStore;
import org.junit.jupiter.api.AfterAll;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventAdmin;
import org.osgi.util.converter.Converters;

/** The S3 connector against a real S3-compatible server (S3Proxy, in-process), on the real credit data. */
class S3SourceTest {
    static final Path CREDIT = Path.of("../../../shared/data/credit_data.csv");
    static final String BUCKET = "lake";
    static final List<String> DATASETS = List.of("credit_data.csv", "credit_data.jsonl", "gz/credit_data.csv.gz");

    static S3Server server;
    static S3Source lake;
    final List<S3Source> opened = new ArrayList<>();

    @BeforeAll
    static void upload() throws Exception {
        server = S3Server.start();
        server.createBucket(BUCKET);
        byte[] csv = Files.readAllBytes(CREDIT);
        server.put(BUCKET, "data/credit_data.csv", csv);
        server.put(BUCKET, "data/gz/credit_data.csv.gz", gzip(csv));
        server.put(BUCKET, "data/README.txt", "not a dataset".getBytes(StandardCharsets.UTF_8));
        server.put(BUCKET, "database.csv", "outside,the\nprefix,x\n".getBytes(StandardCharsets.UTF_8));
        lake = new S3Source(config(Map.of("prefix", "data")));
        // The JSON Lines copy is made from the CSV through the connector itself, and stored with write().
        lake.write("credit_data.jsonl", jsonLines(lake.read("credit_data.csv", Query.all())));
    }

    @AfterAll
    static void stop() throws Exception {
        if (lake != null) {
            lake.deactivate();
        }
        if (server != null) {
            server.close();
        }
    }

    @AfterEach
    void closeSources() {
        opened.forEach(S3Source::deactivate);
    }

    static S3SourceConfig config(Map<String, Object> extra) {
        Map<String, Object> m = new HashMap<>(Map.of("cogwork.source.id", "lake", "bucket", BUCKET,
                "endpoint", server.endpoint.toString(), "path.style", true, "access.key", S3Server.ACCESS_KEY,
                "secret.key", S3Server.SECRET_KEY, "timeout.seconds", 5));
        m.putAll(extra);
        return Converters.standardConverter().convert(m).to(S3SourceConfig.class);
    }

    S3Source source(Map<String, Object> extra) {
        S3Source s = new S3Source(config(extra));
        opened.add(s);
        return s;
    }

    static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        }
        return out.toByteArray();
    }

    static byte[] jsonLines(Dataset d) throws IOException {
        ObjectMapper json = new ObjectMapper();
        StringBuilder sb = new StringBuilder();
        try (RowCursor c = d.open()) {
            while (c.hasNext()) {
                Row r = c.next();
                Map<String, Object> obj = new LinkedHashMap<>();
                for (Field f : d.schema().fields()) {
                    obj.put(f.name(), r.get(f.name()));
                }
                sb.append(json.writeValueAsString(obj)).append('\n');
            }
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    static List<Row> rows(Dataset d) {
        return d.toList();
    }

    static Query query(List<String> select, Filter where, List<Query.Order> orderBy, Long limit) {
        return new Query(select, where, orderBy, limit, 0);
    }

    @Test
    void datasetsAreTheReadableObjectsUnderThePrefix() throws Exception {
        assertEquals(DATASETS, lake.datasets().stream().map(DatasetInfo::name).toList());
        assertEquals("s3", lake.kind());
        assertEquals("lake", lake.id());
    }

    @Test
    void schemaIsInferredFromEachFormat() throws Exception {
        for (String name : DATASETS) {
            Schema s = lake.schema(name);
            assertEquals(14, s.size(), name + ": " + s);
            assertEquals(DataType.CATEGORICAL, s.require("Status").type(), name);
            assertEquals(DataType.INT, s.require("Income").type(), name);
            assertEquals(DataType.INT, s.require("Age").type(), name);
            assertEquals("Status", s.fields().get(0).name(), name);
        }
        assertEquals(lake.schema("credit_data.csv"), lake.schema("gz/credit_data.csv.gz"));
    }

    @Test
    void filteredQueriesStreamTheWholeObject() throws Exception {
        for (String name : DATASETS) {
            Dataset bad = lake.read(name, query(List.of("Status"), Filter.eq("Status", "bad"), List.of(), null));
            try (RowCursor c = bad.open()) {
                int n = 0;
                while (c.hasNext()) {
                    assertEquals("bad", c.next().get(0));
                    n++;
                }
                assertEquals(1254, n, name + ": 1254 bad credits in the data README");
                assertEquals(4454, c.report().rowsRead(), name);
            }
            List<Row> good = rows(lake.read(name, query(List.of("Status"), Filter.eq("Status", "good"), List.of(), null)));
            assertEquals(3200, good.size(), name);
            List<Row> noIncome = rows(lake.read(name, query(List.of(), new Filter.IsNull("Income", false), List.of(), null)));
            assertEquals(381, noIncome.size(), name);
        }
    }

    @Test
    void filterOrderAndLimitGiveTheSameAnswerInEveryFormat() throws Exception {
        Query q = query(List.of("Status", "Age", "Home", "Income"),
                Filter.and(new Filter.Compare("Age", Filter.Op.GE, 30), new Filter.In("Home", List.of("rent", "owner")),
                        new Filter.IsNull("Income", true)),
                List.of(new Query.Order("Income", true)), 5L);
        List<Row> top = rows(lake.read("credit_data.csv", q));
        assertEquals(5, top.size());
        long previous = Long.MAX_VALUE;
        for (Row r : top) {
            assertTrue(((Number) r.get("Age")).intValue() >= 30, r.toString());
            assertTrue(List.of("rent", "owner").contains(r.get("Home")), r.toString());
            long income = ((Number) r.get("Income")).longValue();
            assertTrue(income <= previous, "ordered by income, descending: " + top);
            previous = income;
        }
        assertEquals(List.of("Status", "Age", "Home", "Income"),
                lake.read("credit_data.csv", q).schema().fields().stream().map(Field::name).toList());
        assertEquals(top.toString(), rows(lake.read("gz/credit_data.csv.gz", q)).toString());
        assertEquals(top.toString(), rows(lake.read("credit_data.jsonl", q)).toString());
    }

    @Test
    void everyOpenIsANewPass() throws Exception {
        Dataset d = lake.read("credit_data.csv", query(List.of(), null, List.of(), 3L));
        List<Row> first = d.toList();
        assertEquals(3, first.size());
        assertEquals(first, d.toList());
        assertEquals("[good, 9, rent, 60, 30, married, no, freelance, 73, 129, 0, 0, 800, 846]", first.get(0).toString());
    }

    @Test
    void aSlowReaderIsNotCutOffByTheCallTimeout() throws Exception {
        S3Source s = source(Map.of("prefix", "slow", "timeout.seconds", 1));
        byte[] csv = Files.readAllBytes(CREDIT);
        String body = new String(csv, StandardCharsets.UTF_8).substring(new String(csv, StandardCharsets.UTF_8).indexOf('\n') + 1);
        s.write("credit_x10.csv", (new String(csv, StandardCharsets.UTF_8) + body.repeat(9)).getBytes(StandardCharsets.UTF_8));
        int n = 0;
        try (RowCursor c = s.read("credit_x10.csv", Query.all()).open()) {
            c.next();
            n++;
            Thread.sleep(1500);
            while (c.hasNext()) {
                c.next();
                n++;
            }
        }
        assertEquals(44540, n, "the timeout bounds waiting for an answer, not how long a training reads");
    }

    @Test
    void writeCreatesAnObjectThatIsThenADataset() throws Exception {
        S3Source s = source(Map.of("prefix", "written/"));
        assertEquals(List.of(), s.datasets());
        String etag = s.write("labels/batch-1.csv", "id,label\n1,good\n2,bad\n".getBytes(StandardCharsets.UTF_8));
        assertFalse(etag.isBlank());
        assertEquals(List.of("labels/batch-1.csv"), s.datasets().stream().map(DatasetInfo::name).toList());
        assertEquals("[[1, good], [2, bad]]", rows(s.read("labels/batch-1.csv", Query.all())).toString());
        assertEquals("id,label\n1,good\n2,bad\n", new String(server.client.getObjectAsBytes(
                g -> g.bucket(BUCKET).key("written/labels/batch-1.csv")).asByteArray(), StandardCharsets.UTF_8));
        for (String bad : List.of("", "/abs.csv", "a/../b.csv", "dir/")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.write(bad, new byte[0]));
            assertTrue(e.getMessage().startsWith("dataset "), e.getMessage());
        }
    }

    @Test
    void aReplacedObjectGetsANewSchemaAndOldReadsFailClearly() throws Exception {
        S3Source s = source(Map.of("prefix", "replace"));
        s.write("t.csv", "a,b\n1,x\n2,y\n".getBytes(StandardCharsets.UTF_8));
        Dataset before = s.read("t.csv", Query.all());
        assertEquals(2, before.toList().size());
        s.write("t.csv", "a,b,c\n1,x,1.5\n".getBytes(StandardCharsets.UTF_8));
        UncheckedIOException e = assertThrows(UncheckedIOException.class, before::open);
        assertTrue(e.getMessage().contains("changed since its schema was read"), e.getMessage());
        assertEquals(3, s.schema("t.csv").size(), "schema cached per ETag");
        assertEquals("[[1, x, 1.5]]", rows(s.read("t.csv", Query.all())).toString());
    }

    @Test
    void malformedObjectsAreReportedWithLinesOrNamed() throws Exception {
        S3Source s = source(Map.of("prefix", "messy", "on.error", "skip", "types", "amount:INT"));
        s.write("messy.csv", "id,amount\n1,10\n2,ten\n3\n4,40\n".getBytes(StandardCharsets.UTF_8));
        try (RowCursor c = s.read("messy.csv", Query.all()).open()) {
            int n = 0;
            while (c.hasNext()) {
                c.next();
                n++;
            }
            assertEquals(2, n);
            assertEquals(2, c.report().rowsSkipped());
            assertEquals(3, c.report().problems().get(0).line());
        }
        s.write("broken.csv.gz", "not gzip".getBytes(StandardCharsets.UTF_8));
        DataSourceException e = assertThrows(DataSourceException.class, () -> s.schema("broken.csv.gz"));
        assertTrue(e.getMessage().startsWith("cannot read s3://lake/messy/broken.csv.gz: "), e.getMessage());
    }

    @Test
    void unknownDatasetsNameWhatThereIs() {
        UnknownDatasetException e = assertThrows(UnknownDatasetException.class, () -> lake.schema("nope.csv"));
        assertEquals("unknown dataset 'nope.csv' in source 'lake'; datasets are " + DATASETS, e.getMessage());
        assertThrows(UnknownDatasetException.class, () -> lake.read("README.txt", Query.all()));
        assertThrows(UnknownDatasetException.class, () -> lake.read("../database.csv", Query.all()));
    }

    @Test
    void badQueriesNameTheColumn() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> lake.read("credit_data.csv", query(List.of(), Filter.eq("Incme", 1), List.of(), null)));
        assertTrue(e.getMessage().contains("Incme"), e.getMessage());
    }

    @Test
    void connectionTestSaysWhatIsWrong() throws Exception {
        lake.test();

        DataSourceException noBucket = assertThrows(DataSourceException.class, () -> source(Map.of("bucket", "nope")).test());
        assertEquals("bucket check failed: bucket 'nope' not found at " + server.endpoint, noBucket.getMessage());

        DataSourceException denied = assertThrows(DataSourceException.class,
                () -> source(Map.of("secret.key", "wrong-secret")).test());
        assertTrue(denied.getMessage().startsWith("bucket check failed: access denied to bucket 'lake'"), denied.getMessage());

        DataSourceException empty = assertThrows(DataSourceException.class, () -> source(Map.of("prefix", "void/")).test());
        assertEquals("s3://lake/void/ at " + server.endpoint + " holds no .csv, .jsonl or .ndjson objects", empty.getMessage());
    }

    @Test
    void anUnreachableEndpointFailsFast() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        S3Source s = source(Map.of("endpoint", "http://127.0.0.1:" + closed, "timeout.seconds", 3));
        long t0 = System.nanoTime();
        DataSourceException e = assertThrows(DataSourceException.class, s::test);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals("bucket check failed: cannot reach endpoint http://127.0.0.1:" + closed + ": connection refused",
                e.getMessage());
        assertTrue(ms < 5_000, "failed after " + ms + " ms");
        assertThrows(DataSourceException.class, s::datasets);
    }

    @Test
    void withoutAccessKeyAPublicStoreIsReadAnonymously() throws Exception {
        S3Proxy open = S3Proxy.builder().blobStore(new TransientNio2BlobStore()).endpoint(URI.create("http://127.0.0.1:0"))
                .awsAuthentication(AuthenticationType.NONE, null, null).build();
        open.start();
        try {
            while (!"STARTED".equals(open.getState())) {
                Thread.sleep(10);
            }
            Map<String, Object> m = new HashMap<>(Map.of("cogwork.source.id", "public", "bucket", "open",
                    "endpoint", "http://127.0.0.1:" + open.getPort(), "path.style", true));
            S3Source anonymous = new S3Source(Converters.standardConverter().convert(m).to(S3SourceConfig.class));
            opened.add(anonymous);
            long t0 = System.nanoTime();
            DataSourceException e = assertThrows(DataSourceException.class, anonymous::test);
            assertTrue(e.getMessage().contains("bucket 'open' not found"), e.getMessage());
            assertTrue(System.nanoTime() - t0 < 5_000_000_000L, "the credential chain must not stall the first call");
            try (S3Client admin = S3Client.builder().endpointOverride(URI.create("http://127.0.0.1:" + open.getPort()))
                    .region(Region.US_EAST_1).forcePathStyle(true).credentialsProvider(AnonymousCredentialsProvider.create())
                    .httpClient(UrlConnectionHttpClient.create()).build()) {
                admin.createBucket(b -> b.bucket("open"));
            }
            anonymous.write("iris.csv", Files.readAllBytes(CREDIT.resolveSibling("sklearn_iris.csv")));
            anonymous.test();
            assertEquals(150, rows(anonymous.read("iris.csv", Query.all())).size());
        } finally {
            open.stop();
        }
    }

    @Test
    void secretsAppearNowhere() throws Exception {
        S3Source wrong = source(Map.of("secret.key", "another-s3cr3t"));
        DataSourceException e = assertThrows(DataSourceException.class, wrong::datasets);
        for (Throwable t = e; t != null; t = t.getCause()) {
            assertFalse(String.valueOf(t.getMessage()).contains("another-s3cr3t"), t.toString());
        }
        assertFalse(lake.toString().contains(S3Server.SECRET_KEY), lake.toString());
    }

    @Test
    void configurationMistakesNameTheField() {
        assertEquals("bucket is required", assertThrows(IllegalArgumentException.class,
                () -> source(Map.of("bucket", " "))).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> source(Map.of("endpoint", "ftp://x")))
                .getMessage().startsWith("endpoint must be an http(s) URL"));
        assertEquals("secret.key is required when access.key is set", assertThrows(IllegalArgumentException.class,
                () -> source(Map.of("secret.key", ""))).getMessage());
        assertEquals("timeout.seconds must be >= 1, was 0", assertThrows(IllegalArgumentException.class,
                () -> source(Map.of("timeout.seconds", 0))).getMessage());
        assertEquals("on.error must be one of [fail, skip, null], was 'maybe'", assertThrows(IllegalArgumentException.class,
                () -> source(Map.of("on.error", "maybe"))).getMessage());
    }

    @Test
    void changedAndNewObjectsAreReportedAsRefreshEvents() throws Exception {
        S3Source s = source(Map.of("prefix", "watched", "refresh.interval.seconds", 1));
        List<Event> events = new CopyOnWriteArrayList<>();
        s.setEvents(new EventAdmin() {
            @Override
            public void postEvent(Event event) {
                events.add(event);
            }

            @Override
            public void sendEvent(Event event) {
                events.add(event);
            }
        });
        server.put(BUCKET, "watched/a.csv", "x\n1\n".getBytes(StandardCharsets.UTF_8));
        Thread.sleep(1500);
        server.put(BUCKET, "watched/a.csv", "x\n2\n".getBytes(StandardCharsets.UTF_8));
        long deadline = System.currentTimeMillis() + 5000;
        while (events.isEmpty() && System.currentTimeMillis() < deadline) {
            Thread.sleep(50);
        }
        assertFalse(events.isEmpty(), "no refresh event within 5 s");
        Event ev = events.get(0);
        assertEquals(Topics.CONNECTOR_REFRESHED, ev.getTopic());
        assertEquals("a.csv", ev.getProperty(Topics.DATASET));
        assertEquals("s3", ev.getProperty(Topics.SOURCE_KIND));
        assertNotEquals(null, ev.getProperty(Topics.TIMESTAMP));
    }
}
