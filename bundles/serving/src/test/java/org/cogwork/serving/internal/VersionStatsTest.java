package org.cogwork.serving.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A version's meters, as Prometheus reads them and as /api/serving reads them back from the same meters. */
class VersionStatsTest {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

    @Test
    void servingAndPrometheusReadTheSameMeters() {
        VersionStats s = new VersionStats(registry, "credit-risk", 2);
        assertNull(s.view().get("p50Micros"), "no latency before the first request");
        for (int micros = 1; micros <= 100; micros++) {
            s.success(3, micros * 1000L);
        }
        s.error();
        s.error();
        Map<String, Object> v = s.view();
        assertEquals(102L, v.get("requests"));
        assertEquals(2L, v.get("errors"));
        assertEquals(300L, v.get("rows"));
        // 1..100 µs over the buckets 1, 2, 5, 10, 20, 50, 100 µs: rank 50 is the top of (20, 50], rank 99 is
        // 49/50 into (50, 100]
        assertEquals(50L, v.get("p50Micros"));
        assertEquals(99L, v.get("p99Micros"));

        String text = registry.scrape();
        assertTrue(text.contains("cogwork_predict_requests_total{model=\"credit-risk\",version=\"2\"} 102"), text);
        assertTrue(text.contains("cogwork_predict_errors_total{model=\"credit-risk\",version=\"2\"} 2"), text);
        assertTrue(text.contains("cogwork_predict_latency_seconds_count{model=\"credit-risk\",version=\"2\"} 100"), text);
        assertTrue(text.contains("cogwork_predict_latency_seconds_bucket{le=\"5.0E-5\",model=\"credit-risk\",version=\"2\"} 50")
                || text.contains("cogwork_predict_latency_seconds_bucket{model=\"credit-risk\",version=\"2\",le=\"5.0E-5\"} 50"), text);

        s.remove();
        assertFalse(registry.scrape().contains("credit-risk"), "a removed version leaves /metrics");
    }

    @Test
    void aQuantileBeyondTheLastBucketIsTheMaximum() {
        VersionStats s = new VersionStats(registry, "slow", 1);
        s.success(1, 30_000_000_000L); // 30 s, beyond the 10 s bucket
        assertEquals(30_000_000L, s.view().get("p99Micros"));
    }
}
