package org.cogwork.connector.support;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Data refresh by change detection: every {@code interval} it asks the source for a fingerprint per dataset
 * (file size + time, an object's ETag, a table's max id) and reports each dataset whose fingerprint changed
 * or that appeared since the last look. The first look runs in the constructor and only records the state, so
 * every change after the source was created is reported. A failing look is logged and retried at the next
 * interval.
 */
public final class ChangeWatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ChangeWatcher.class);

    private final String sourceId;
    private final Callable<Map<String, String>> fingerprints;
    private final Consumer<String> onChange;
    private final ScheduledExecutorService timer;
    private Map<String, String> last;

    public ChangeWatcher(String sourceId, Duration interval, Callable<Map<String, String>> fingerprints,
                         Consumer<String> onChange) {
        this.sourceId = sourceId;
        this.fingerprints = fingerprints;
        this.onChange = onChange;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "cogwork-refresh-" + sourceId);
            t.setDaemon(true);
            return t;
        });
        long ms = interval.toMillis();
        look();
        timer.scheduleWithFixedDelay(this::look, ms, ms, TimeUnit.MILLISECONDS);
    }

    /** Compares the current fingerprints with the last ones; package-visible for tests. */
    synchronized void look() {
        Map<String, String> now;
        try {
            now = new HashMap<>(fingerprints.call());
        } catch (Exception e) {
            LOG.warn("Refresh check of source {} failed: {}", sourceId, e.toString());
            return;
        }
        if (last != null) {
            for (Map.Entry<String, String> e : now.entrySet()) {
                if (!Objects.equals(last.get(e.getKey()), e.getValue())) {
                    LOG.info("Source {}: dataset {} changed", sourceId, e.getKey());
                    try {
                        onChange.accept(e.getKey());
                    } catch (RuntimeException ex) {
                        LOG.warn("Refresh listener of source {} failed", sourceId, ex);
                    }
                }
            }
        }
        last = now;
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
