package org.cogwork.persistence.internal;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.cogwork.api.health.HealthCheck;
import org.cogwork.api.health.HealthResult;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;

/**
 * /health reports the metadata store: DOWN, with the reason, when its database cannot be opened or cannot write
 * now. Every check writes and reads back one row of {@code cogwork_health} (created when the store opens) on a thread of its own,
 * and waits at most {@link #TIMEOUT_MS}: a store that opened once but has since been closed, lost its disk or is
 * blocked shows as DOWN at the next check instead of every write failing behind an UP. 2 s rather than the usual
 * second: a commit is synced to disk, and a busy 2-core machine should not flap the runtime DOWN.
 */
@Component(name = "org.cogwork.persistence.health", service = HealthCheck.class)
public class StoreHealth implements HealthCheck {
    static final long TIMEOUT_MS = 2_000;

    private final MetadataStore store;
    /** Never interrupted: an interrupt during an H2 write closes the database (see MetadataStore). */
    private final ExecutorService prober = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "cogwork-metadata-health");
        t.setDaemon(true);
        return t;
    });
    private Future<?> inFlight;
    private long inFlightSince;

    @Activate
    public StoreHealth(@Reference MetadataStore store) {
        this.store = store;
    }

    @Override
    public String name() {
        return "metadata-store";
    }

    @Override
    public HealthResult check() {
        HealthResult opened = store.health();
        if (!opened.up() || !store.ready()) {
            return opened;
        }
        Future<?> probe;
        long since;
        synchronized (this) {
            // one probe at a time: a store that hangs is not given a new thread at every check
            if (inFlight == null || inFlight.isDone()) {
                inFlight = prober.submit(store::probeWrite);
                inFlightSince = System.nanoTime();
            }
            probe = inFlight;
            since = inFlightSince;
        }
        long left = TIMEOUT_MS - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - since);
        try {
            probe.get(Math.max(0, left), TimeUnit.MILLISECONDS);
            return opened;
        } catch (TimeoutException e) {
            return HealthResult.down("a write to " + store.where() + " did not complete within " + TIMEOUT_MS + " ms");
        } catch (ExecutionException e) {
            return HealthResult.down("cannot write to " + store.where() + ": " + e.getCause().getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return HealthResult.down("the write check of " + store.where() + " was interrupted");
        }
    }

    @Deactivate
    void close() {
        prober.shutdown(); // not shutdownNow: see the field
    }
}
