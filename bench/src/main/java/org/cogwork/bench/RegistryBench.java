package org.cogwork.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.cogwork.api.engine.Prediction;
import org.cogwork.api.serving.PredictionRecord;
import org.cogwork.api.tracking.MetricPoint;
import org.cogwork.api.tracking.Run;
import org.cogwork.api.tracking.RunQuery;
import org.cogwork.persistence.internal.MetadataStore;
import org.cogwork.persistence.internal.MigrationSource;
import org.cogwork.persistence.internal.PersistenceConfig;
import org.cogwork.registry.internal.Tracking;
import org.cogwork.serving.internal.PredictionIds;
import org.cogwork.serving.internal.Predictions;
import org.osgi.util.converter.Converters;

/**
 * Registry benchmark: metric logging throughput (single logMetric calls, logBatch of 1000) and run search latency
 * (a filter and an order on a metric) once 100,000 metrics are logged over 1,000 runs; embedded H2 (file, every
 * commit written) and PostgreSQL (127.0.0.1:5432/test, skipped with a message when absent).
 */
public final class RegistryBench {
    static final int RUNS = 1000;
    static final int SINGLE = Integer.getInteger("single", 5000);
    static final int TOTAL = 100_000;
    static final int SEARCHES = 30;

    public static void main(String[] args) throws Exception {
        System.out.printf("Registry benchmark: %d runs, %d single logMetric calls, then logBatch of 1000 up to %,d metrics; "
                + "search = filter metrics.loss < 0.5 ordered by metrics.loss, 100 per page, median of %d%n", RUNS, SINGLE, TOTAL, SEARCHES);
        Path tmp = Files.createTempDirectory("registry-bench");
        Path h2 = tmp.resolve("h2");
        bench("H2 (embedded file)", Map.of(), h2, () -> {
            // a second connection inside this JVM shares the open embedded database
            try (Connection c = DriverManager.getConnection("jdbc:h2:file:" + h2.resolve("metadata/cogwork").toAbsolutePath(), "", "");
                 Statement st = c.createStatement()) {
                st.execute("ANALYZE");
            }
        });
        String pg = System.getProperty("postgres.url", "jdbc:postgresql://127.0.0.1:5432/test");
        String schema = "cw_bench_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        try (Connection c = DriverManager.getConnection(pg, "postgres", ""); Statement st = c.createStatement()) {
            st.execute("CREATE SCHEMA " + schema);
        } catch (SQLException e) {
            System.out.println("PostgreSQL: SKIPPED, no server at " + pg + " (" + e.getMessage() + ")");
            return;
        }
        try {
            bench("PostgreSQL 15", Map.of("url", pg + "?currentSchema=" + schema, "user", "postgres"), tmp.resolve("pg"), () -> {
                try (Connection c = DriverManager.getConnection(pg + "?currentSchema=" + schema, "postgres", "");
                     Statement st = c.createStatement()) {
                    st.execute("ANALYZE");
                }
            });
        } finally {
            if (Boolean.getBoolean("keep.schema")) { // to look at query plans afterwards
                System.out.println("PostgreSQL schema kept: " + schema);
            } else {
                try (Connection c = DriverManager.getConnection(pg, "postgres", ""); Statement st = c.createStatement()) {
                    st.execute("DROP SCHEMA " + schema + " CASCADE");
                }
            }
        }
    }

    interface Sql {
        void run() throws SQLException;
    }

    static void bench(String label, Map<String, Object> cfg, Path data, Sql analyze) throws Exception {
        PersistenceConfig config = Converters.standardConverter().convert(cfg).to(PersistenceConfig.class);
        try (MetadataStore store = new MetadataStore(config, data)) {
            Tracking t = new Tracking(store.database("org.cogwork.registry", MigrationSource.of(Tracking.class)), data, "local");
            String exp = t.createExperiment("bench-" + UUID.randomUUID(), null).id();
            List<String> runs = new ArrayList<>();
            for (int i = 0; i < RUNS; i++) {
                runs.add(t.createRun(exp, "run" + i, null, null).id());
            }
            Random rnd = new Random(42);
            long t0 = System.nanoTime();
            for (int i = 0; i < SINGLE; i++) {
                t.logMetric(runs.get(i % RUNS), new MetricPoint("loss", rnd.nextDouble(), i / RUNS, Instant.now()));
            }
            double singleS = (System.nanoTime() - t0) / 1e9;
            int logged = SINGLE;
            int batches = 0;
            t0 = System.nanoTime();
            for (int b = 0; logged < TOTAL; b++) {
                List<MetricPoint> batch = new ArrayList<>(1000);
                long ts = System.currentTimeMillis();
                for (int i = 0; i < 1000; i++) {
                    // 10 keys x 100 steps; 'loss' last so it is each run's latest point
                    batch.add(new MetricPoint(i % 10 == 9 ? "loss" : "m" + (i % 10), rnd.nextDouble(), 100 + i / 10, Instant.ofEpochMilli(ts)));
                }
                t.logBatch(runs.get(b % RUNS), batch, null, null);
                logged += 1000;
                batches++;
            }
            double batchS = (System.nanoTime() - t0) / 1e9;
            double[] fresh = searches(t, exp);
            // The database's statistics right after a bulk load are stale until autovacuum (PostgreSQL, within about
            // a minute) or an explicit ANALYZE refreshes them; the plan for the search depends on them.
            analyze.run();
            double[] analyzed = searches(t, exp);
            org.cogwork.persistence.Database serving = store.database("org.cogwork.serving", MigrationSource.of(Predictions.class));
            Predictions log = new Predictions(serving);
            predictionLog(log); // the JIT's first pass over the insert path: measured again below, as the second one is
            double appendRate = predictionLog(log);
            // what the (model_name, at_time) index costs: the same appends into the same store without it
            serving.txVoid(h -> h.execute("DROP INDEX ix_predictions_model_time"));
            double withoutIndex = predictionLog(log);
            System.out.printf("%-20s prediction log append (batches of %d, credit-like rows, time-ordered ids): %,.0f records/s; "
                    + "without the (model_name, at_time) index %,.0f records/s (%.2fx)%n", label, Integer.getInteger("log.batch", 500),
                    appendRate, withoutIndex, withoutIndex / appendRate);
            System.out.printf("%-20s single logMetric: %,8.0f metrics/s (%.2f ms per call) | logBatch(1000): %,9.0f metrics/s (%d batches, %.1f ms per batch) "
                            + "| search with %,d metrics: median %.1f ms, p95 %.1f ms right after loading; median %.1f ms, p95 %.1f ms after ANALYZE (%d runs on the page)%n",
                    label, SINGLE / singleS, singleS * 1000 / SINGLE, (logged - SINGLE) / batchS, batches, batchS * 1000 / batches,
                    logged, fresh[0], fresh[1], analyzed[0], analyzed[1], (int) fresh[2]);
        }
    }

    /**
     * Records per second appended to the prediction log in batches of 500 (as serving's log writer; -Dlog.batch=), with
     * serving's own ids ({@link PredictionIds}: ordered by time, the Unix milliseconds first, then random bits).
     */
    static double predictionLog(Predictions log) {
        Map<String, Object> input = new java.util.LinkedHashMap<>();
        String[] keys = {"Seniority", "Home", "Time", "Age", "Marital", "Records", "Job", "Expenses", "Income", "Assets",
                "Debt", "Amount", "Price"};
        Object[] values = {9, "rent", 60, 30, "married", "no", "freelance", 73, 129, 0, 0, 800, 846};
        for (int k = 0; k < keys.length; k++) {
            input.put(keys[k], values[k]);
        }
        Prediction output = new Prediction("good", Map.of("good", 0.83, "bad", 0.17));
        int size = Integer.getInteger("log.batch", 500);
        int batches = 50_000 / size;
        long t0 = 0;
        for (int b = -5000 / size; b < batches; b++) {
            if (b == 0) {
                t0 = System.nanoTime();
            }
            List<PredictionRecord> batch = new ArrayList<>(size);
            for (int i = 0; i < size; i++) {
                long now = System.currentTimeMillis();
                batch.add(new PredictionRecord(PredictionIds.next(now).toString(), Instant.ofEpochMilli(now), "credit-risk", 1, input, output,
                        900, false, null));
            }
            log.append(batch);
        }
        return batches * (double) size / ((System.nanoTime() - t0) / 1e9);
    }

    /** Median and p95 latency (ms) of the benchmark's search, and the number of runs on its page. */
    static double[] searches(Tracking t, String exp) {
        double[] lat = new double[SEARCHES];
        int hits = 0;
        for (int i = -3; i < SEARCHES; i++) {
            long s0 = System.nanoTime();
            List<Run> page = t.searchRuns(new RunQuery(List.of(exp), "metrics.loss < 0.5", List.of("metrics.loss ASC"), 100, null, false)).items();
            if (i >= 0) {
                lat[i] = (System.nanoTime() - s0) / 1e6;
                hits = page.size();
            }
        }
        Arrays.sort(lat);
        return new double[] {lat[SEARCHES / 2], lat[(int) (SEARCHES * 0.95)], hits};
    }
}
