package org.cogwork.runtime.internal.security;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * How long authentication takes per request, measured in the server (so a benchmark can report what the check
 * costs on the predict path): 100 ns buckets up to 1 ms, one overflow bucket. Recording is one array increment.
 */
final class CheckTimes {
    private static final int BUCKET_NANOS = 100;
    private static final int BUCKETS = 10_000;
    private final AtomicLongArray counts = new AtomicLongArray(BUCKETS + 1);

    void record(long nanos) {
        counts.incrementAndGet((int) Math.min(BUCKETS, Math.max(0, nanos / BUCKET_NANOS)));
    }

    /** Count and percentiles in microseconds (upper bucket bounds; the overflow bucket reads as "&gt; 1000"). */
    Map<String, Object> summary() {
        long[] c = new long[BUCKETS + 1];
        long total = 0;
        for (int i = 0; i <= BUCKETS; i++) {
            c[i] = counts.get(i);
            total += c[i];
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("checks", total);
        for (double q : new double[] {0.5, 0.9, 0.99}) {
            out.put("p" + Math.round(q * 100) + "Micros", total == 0 ? null : percentile(c, total, q));
        }
        return out;
    }

    private static Object percentile(long[] c, long total, double q) {
        long rank = (long) Math.ceil(q * total);
        long seen = 0;
        for (int i = 0; i <= BUCKETS; i++) {
            seen += c[i];
            if (seen >= rank) {
                return i == BUCKETS ? "> 1000" : (i + 1) * BUCKET_NANOS / 1000.0;
            }
        }
        return null;
    }
}
