package org.cogwork.serving.internal;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/** Requests, errors and latency percentiles (over the last 4096 requests) of one model version. */
final class VersionStats {
    private static final int WINDOW = 4096;
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private final AtomicLong rows = new AtomicLong();
    private final long[] latencies = new long[WINDOW];
    private long count;

    void success(int rowCount, long micros) {
        requests.incrementAndGet();
        rows.addAndGet(rowCount);
        synchronized (latencies) {
            latencies[(int) (count++ % WINDOW)] = micros;
        }
    }

    void error() {
        requests.incrementAndGet();
        errors.incrementAndGet();
    }

    Map<String, Object> view() {
        long[] copy;
        synchronized (latencies) {
            copy = Arrays.copyOf(latencies, (int) Math.min(count, WINDOW));
        }
        Arrays.sort(copy);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("requests", requests.get());
        m.put("errors", errors.get());
        m.put("rows", rows.get());
        m.put("p50Micros", copy.length == 0 ? null : copy[(int) (copy.length * 0.5)]);
        m.put("p99Micros", copy.length == 0 ? null : copy[Math.min(copy.length - 1, (int) (copy.length * 0.99))]);
        return m;
    }
}
