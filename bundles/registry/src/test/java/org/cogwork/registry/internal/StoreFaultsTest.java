package org.cogwork.registry.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.cogwork.api.health.HealthResult;
import org.jdbi.v3.core.Handle;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded store survives callers with an interrupt pending, and its health check shows when it cannot write. */
class StoreFaultsTest {
    @TempDir
    Path data;
    MetadataStore store;
    Tracking tracker;

    @BeforeEach
    void open() {
        store = new MetadataStore(RegistryContractTest.config(Map.of()), data);
        tracker = new Tracking(store, data, "local");
    }

    @AfterEach
    void close() {
        Thread.interrupted();
        store.close();
    }

    @Test
    void aCallOnAnInterruptedThreadLeavesTheDatabaseOpenAndTheFlagSet() {
        tracker.createExperiment("before", Map.of());
        Thread.currentThread().interrupt();
        String during = tracker.createExperiment("during", Map.of()).id();
        assertEquals("during", tracker.experiment(during).orElseThrow().name());
        assertTrue(Thread.interrupted(), "the caller's interrupt is still there for it to handle");
        String after = tracker.createExperiment("after", Map.of()).id();
        assertEquals("after", tracker.experiment(after).orElseThrow().name());
    }

    @Test
    void healthIsDownWhileTheStoreCannotWrite() throws Exception {
        StoreHealth health = new StoreHealth(store);
        try {
            tracker.createExperiment("opened", Map.of());
            HealthResult up = health.check();
            assertTrue(up.up(), up.detail());

            // another transaction holds the health row: the write cannot complete
            try (Handle blocker = store.jdbi().open()) {
                blocker.begin();
                blocker.execute("UPDATE cogwork_health SET checked = 1 WHERE id = 1");
                long t0 = System.nanoTime();
                HealthResult blocked = health.check();
                long ms = (System.nanoTime() - t0) / 1_000_000;
                assertFalse(blocked.up(), blocked.detail());
                assertTrue(blocked.detail().contains("did not complete within 2000 ms") || blocked.detail().contains("cannot write"),
                        blocked.detail());
                assertTrue(ms < 3_000, "answered in " + ms + " ms");
                blocker.rollback();
            }
            awaitUp(health);

            store.close(); // as when the database has been closed under the runtime
            HealthResult closed = health.check();
            assertFalse(closed.up(), closed.detail());
            assertTrue(closed.detail().startsWith("cannot write to jdbc:h2:"), closed.detail());
        } finally {
            health.close();
        }
    }

    private static void awaitUp(StoreHealth health) throws InterruptedException {
        HealthResult r = health.check();
        for (int i = 0; i < 100 && !r.up(); i++) {
            Thread.sleep(50);
            r = health.check();
        }
        assertTrue(r.up(), r.detail());
    }
}
