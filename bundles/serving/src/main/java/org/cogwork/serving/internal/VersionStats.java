package org.cogwork.serving.internal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.micrometer.core.instrument.distribution.HistogramSnapshot;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The meters of one model version on the platform's {@link MeterRegistry}, which {@code GET /metrics} exports and
 * {@code /api/serving} reads back (one bookkeeping): requests and errors, rows predicted, and a latency histogram of
 * the successful predict calls (engine and pipeline, not HTTP). Made once per version and kept by the predictor, so
 * a request costs two counter increments and one histogram record, never a registry lookup by name and tags.
 */
final class VersionStats {
    /** Histogram buckets: predict takes microseconds for one row of a linear model, seconds for a large batch. */
    static final Duration[] BUCKETS = buckets();

    private final MeterRegistry registry;
    private final Counter requests;
    private final Counter errors;
    private final Counter rows;
    private final Timer latency;

    VersionStats(MeterRegistry registry, String model, int version) {
        this.registry = registry;
        Tags tags = Tags.of("model", model, "version", Integer.toString(version));
        requests = Counter.builder("cogwork.predict.requests").tags(tags)
                .description("predict requests routed to a model version (shadow requests included), failed ones too")
                .register(registry);
        errors = Counter.builder("cogwork.predict.errors").tags(tags)
                .description("predict requests a model version failed (the model could not be loaded or predict threw)")
                .register(registry);
        rows = Counter.builder("cogwork.predict.rows").tags(tags)
                .description("rows a model version predicted").register(registry);
        latency = Timer.builder("cogwork.predict.latency").tags(tags)
                .description("time of successful predict calls (feature pipeline and engine; HTTP not included)")
                .serviceLevelObjectives(BUCKETS).register(registry);
    }

    private static Duration[] buckets() {
        long[] micros = {1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000,
                200_000, 500_000, 1_000_000, 2_000_000, 5_000_000, 10_000_000};
        Duration[] out = new Duration[micros.length];
        for (int i = 0; i < micros.length; i++) {
            out[i] = Duration.ofNanos(micros[i] * 1000);
        }
        return out;
    }

    void success(int rowCount, long nanos) {
        requests.increment();
        rows.increment(rowCount);
        latency.record(nanos, TimeUnit.NANOSECONDS);
    }

    void error() {
        requests.increment();
        errors.increment();
    }

    /** Takes the meters off the registry (the version was deleted, or serving stops). */
    void remove() {
        List.of(requests, errors, rows, latency).forEach(registry::remove);
    }

    /**
     * What {@code /api/serving} shows, read from the meters: counts, and p50/p99 estimated from the histogram's
     * buckets since the start (linear within a bucket, as Prometheus' {@code histogram_quantile} does).
     */
    Map<String, Object> view() {
        HistogramSnapshot h = latency.takeSnapshot();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("requests", (long) requests.count());
        m.put("errors", (long) errors.count());
        m.put("rows", (long) rows.count());
        m.put("p50Micros", quantileMicros(h, 0.5));
        m.put("p99Micros", quantileMicros(h, 0.99));
        return m;
    }

    /** The {@code q} quantile in microseconds from cumulative bucket counts; {@code null} before the first record. */
    static Long quantileMicros(HistogramSnapshot h, double q) {
        long total = h.count();
        if (total == 0) {
            return null;
        }
        double rank = q * total;
        double lower = 0;
        double below = 0;
        for (CountAtBucket b : h.histogramCounts()) {
            double upper = b.bucket(TimeUnit.MICROSECONDS);
            double cumulative = b.count();
            if (cumulative >= rank) {
                double inBucket = cumulative - below;
                double fraction = inBucket <= 0 ? 1 : (rank - below) / inBucket;
                return Math.round(lower + fraction * (upper - lower));
            }
            lower = upper;
            below = cumulative;
        }
        return Math.round(h.max(TimeUnit.MICROSECONDS)); // beyond the last bucket
    }
}
