package org.cogwork.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.cogwork.api.connector.DataSource;
import org.cogwork.api.data.DataType;
import org.cogwork.api.data.Field;
import org.cogwork.api.data.Row;
import org.cogwork.api.data.RowCursor;
import org.cogwork.api.data.Schema;
import org.cogwork.api.query.Query;
import org.cogwork.connector.file.FileSource;
import org.cogwork.connector.file.FileSourceConfig;
import org.cogwork.connector.jdbc.JdbcSource;
import org.cogwork.connector.jdbc.JdbcSourceConfig;
import org.osgi.util.converter.Converters;

/**
 * Rows per second and peak heap of a full streaming read through each connector, on imdb_reviews_10k.csv and
 * credit_data.csv, and a 10-million-row read from PostgreSQL (the credit rows repeated 2,246 times) to show
 * that memory stays flat. Run with {@code bench/connector-bench.sh}; the heap is capped there, so a read that
 * held its rows would fail with OutOfMemoryError instead of printing.
 */
public final class ConnectorBench {
    static final Path DATA = Path.of(System.getProperty("cogwork.data", "../shared/data")).toAbsolutePath().normalize();
    static final String PG = "jdbc:postgresql://127.0.0.1:5432/test";
    static final String MARIA = "jdbc:mariadb://127.0.0.1:3306/test";
    static final int RUNS = Integer.getInteger("runs", 3);

    private ConnectorBench() {
    }

    public static void main(String[] args) throws Exception {
        Path tmp = Files.createTempDirectory("cogwork-bench");
        List<String> sets = List.of("imdb_reviews_10k.csv", "credit_data.csv");
        FileSource files = new FileSource(Converters.standardConverter().convert(
                Map.of("cogwork.source.id", "files", "path", DATA.toString())).to(FileSourceConfig.class));
        System.out.printf("Cogwork connector benchmark: %d runs each, median; heap max %d MB; %s%n", RUNS,
                Runtime.getRuntime().maxMemory() >> 20, System.getProperty("java.vm.version"));
        System.out.printf("%-10s %-22s %10s %12s %14s%n", "connector", "dataset", "rows", "rows/s", "peak heap MB");
        for (String set : sets) {
            measure("file", files, set);
        }
        Map<String, String> dbs = new java.util.LinkedHashMap<>();
        dbs.put("h2", "jdbc:h2:file:" + tmp.resolve("bench"));
        dbs.put("postgresql", PG);
        dbs.put("mariadb", MARIA);
        for (Map.Entry<String, String> db : dbs.entrySet()) {
            String user = db.getKey().equals("postgresql") ? "postgres" : db.getKey().equals("mariadb") ? "root" : "sa";
            if (!reachable(db.getValue(), user)) {
                System.out.printf("%-10s (no server at %s: skipped)%n", db.getKey(), db.getValue());
                continue;
            }
            for (String set : sets) {
                load(db.getValue(), user, table(set), files.schema(set), files, set);
            }
            try (JdbcSource src = jdbc(db.getKey(), db.getValue(), user, tmp)) {
                for (String set : sets) {
                    measure(db.getKey(), src, table(set));
                }
            }
        }
        s3(files, sets);
        if (reachable(PG, "postgres") && !Boolean.getBoolean("skip10m")) {
            ensureTenMillion();
            try (JdbcSource src = jdbc("pg10m", PG, "postgres", tmp)) {
                measureOnce("postgresql", src, "credit_10m");
            }
        }
    }

    /** S3: the same files uploaded to an in-memory S3Proxy on loopback, read through the S3 connector. */
    static void s3(FileSource files, List<String> sets) throws Exception {
        org.gaul.s3proxy.S3Proxy proxy = org.gaul.s3proxy.S3Proxy.builder()
                .blobStore(new org.gaul.s3proxy.nio2blob.TransientNio2BlobStore())
                .endpoint(java.net.URI.create("http://127.0.0.1:0"))
                .awsAuthentication(org.gaul.s3proxy.auth.AuthenticationType.AWS_V2_OR_V4, "bench", "bench-secret").build();
        proxy.start();
        while (!"STARTED".equals(proxy.getState())) {
            Thread.sleep(10);
        }
        String endpoint = "http://127.0.0.1:" + proxy.getPort();
        try (software.amazon.awssdk.services.s3.S3Client client = software.amazon.awssdk.services.s3.S3Client.builder()
                .endpointOverride(java.net.URI.create(endpoint)).region(software.amazon.awssdk.regions.Region.US_EAST_1)
                .forcePathStyle(true).requestChecksumCalculation(software.amazon.awssdk.core.checksums.RequestChecksumCalculation.WHEN_REQUIRED)
                .credentialsProvider(software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
                        software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create("bench", "bench-secret")))
                .httpClient(software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.create()).build()) {
            client.createBucket(b -> b.bucket("bench"));
            for (String set : sets) {
                client.putObject(p -> p.bucket("bench").key(set), software.amazon.awssdk.core.sync.RequestBody.fromFile(DATA.resolve(set)));
            }
            Map<String, Object> p = new HashMap<>();
            p.put("cogwork.source.id", "s3");
            p.put("bucket", "bench");
            p.put("endpoint", endpoint);
            p.put("path.style", true);
            p.put("access.key", "bench");
            p.put("secret.key", "bench-secret");
            org.cogwork.connector.s3.S3Source src = new org.cogwork.connector.s3.S3Source(
                    Converters.standardConverter().convert(p).to(org.cogwork.connector.s3.S3SourceConfig.class));
            for (String set : sets) {
                measure("s3", src, set);
            }
        } finally {
            proxy.stop();
        }
    }

    static String table(String file) {
        return "bench_" + file.substring(0, file.indexOf('.'));
    }

    static JdbcSource jdbc(String id, String url, String user, Path tmp) {
        Map<String, Object> p = new HashMap<>();
        p.put("cogwork.source.id", id);
        p.put("url", url);
        p.put("user", user);
        p.put("query.timeout.seconds", 3600);
        return new JdbcSource(Converters.standardConverter().convert(p).to(JdbcSourceConfig.class), tmp.toString());
    }

    static boolean reachable(String url, String user) {
        try (Connection c = DriverManager.getConnection(url, user, "")) {
            return c.isValid(2);
        } catch (Exception e) {
            return false;
        }
    }

    static void measure(String name, DataSource src, String dataset) throws Exception {
        List<Double> rates = new ArrayList<>();
        long rows = 0;
        long peak = 0;
        for (int i = 0; i < RUNS + 1; i++) {
            Result r = read(src, dataset);
            if (i > 0) { // the first pass warms up the JIT and the file cache
                rates.add(r.rows / r.seconds);
                peak = Math.max(peak, r.peakHeap);
            }
            rows = r.rows;
        }
        Collections.sort(rates);
        System.out.printf("%-10s %-22s %10d %12.0f %14d%n", name, dataset, rows, rates.get(rates.size() / 2), peak >> 20);
    }

    static void measureOnce(String name, DataSource src, String dataset) throws Exception {
        Result r = read(src, dataset);
        System.out.printf("%-10s %-22s %10d %12.0f %14d%n", name, dataset, r.rows, r.rows / r.seconds, r.peakHeap >> 20);
    }

    record Result(long rows, double seconds, long peakHeap) {
    }

    static Result read(DataSource src, String dataset) throws Exception {
        System.gc();
        List<MemoryPoolMXBean> heap = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getType() == MemoryType.HEAP).toList();
        heap.forEach(MemoryPoolMXBean::resetPeakUsage);
        long t0 = System.nanoTime();
        long n = 0;
        try (RowCursor c = src.read(dataset, Query.all()).open()) {
            while (c.hasNext()) {
                c.next();
                n++;
            }
        }
        double s = (System.nanoTime() - t0) / 1e9;
        long peak = heap.stream().mapToLong(p -> p.getPeakUsage().getUsed()).sum();
        return new Result(n, s, peak);
    }

    static void load(String url, String user, String table, Schema schema, FileSource from, String dataset) throws Exception {
        try (Connection c = DriverManager.getConnection(url, user, "")) {
            String q = c.getMetaData().getIdentifierQuoteString().trim();
            try (Statement st = c.createStatement()) {
                st.execute("DROP TABLE IF EXISTS " + q + table + q);
                StringBuilder ddl = new StringBuilder("CREATE TABLE " + q + table + q + " (");
                for (int i = 0; i < schema.size(); i++) {
                    Field f = schema.fields().get(i);
                    String type = f.type() == DataType.INT ? "BIGINT" : f.type() == DataType.DOUBLE ? "DOUBLE PRECISION"
                            : f.type() == DataType.TEXT ? "TEXT" : "VARCHAR(255)";
                    ddl.append(i == 0 ? "" : ", ").append(q).append(f.name()).append(q).append(' ').append(type);
                }
                st.execute(ddl.append(")").toString());
            }
            c.setAutoCommit(false);
            String marks = String.join(", ", Collections.nCopies(schema.size(), "?"));
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

    /** credit_10m: the 4,454 real credit rows repeated 2,246 times (10,003,684 rows), built once in PostgreSQL. */
    static void ensureTenMillion() throws Exception {
        try (Connection c = DriverManager.getConnection(PG, "postgres", ""); Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM pg_tables WHERE tablename = 'credit_10m'")) {
                rs.next();
                if (rs.getLong(1) == 1) {
                    return;
                }
            }
            System.out.println("(building credit_10m in PostgreSQL, once: about a minute)");
            st.execute("CREATE TABLE credit_10m AS SELECT c.* FROM bench_credit_data c, generate_series(1, 2246) g");
        }
    }
}
