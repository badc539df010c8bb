package org.cogwork.persistence.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.cogwork.api.health.HealthResult;
import org.cogwork.persistence.Database;
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
    Database db;

    @BeforeEach
    void open() throws Exception {
        store = new MetadataStore(MigrationsContractTest.config(Map.of()), data);
        Path scripts = Files.createDirectories(data.resolve("scripts"));
        Files.writeString(scripts.resolve("V1__names.sql"), "CREATE TABLE names (id INTEGER NOT NULL PRIMARY KEY, name VARCHAR(100) NOT NULL);\n");
        db = store.database("test.faults", MigrationSource.of(scripts));
    }

    private void insert(int id, String name) {
        db.txVoid(h -> h.execute("INSERT INTO names (id, name) VALUES (?, ?)", id, name));
    }

    private String name(int id) {
        return db.jdbi().withHandle(h -> h.createQuery("SELECT name FROM names WHERE id = ?").bind(0, id).mapTo(String.class).one());
    }

    @AfterEach
    void close() {
        Thread.interrupted();
        store.close();
    }

    @Test
    void aCallOnAnInterruptedThreadLeavesTheDatabaseOpenAndTheFlagSet() {
        insert(1, "before");
        Thread.currentThread().interrupt();
        insert(2, "during");
        assertEquals("during", name(2));
        assertTrue(Thread.interrupted(), "the caller's interrupt is still there for it to handle");
        insert(3, "after");
        assertEquals("after", name(3));
        assertEquals("before", name(1));
    }

    @Test
    void healthIsDownWhileTheStoreCannotWrite() throws Exception {
        StoreHealth health = new StoreHealth(store);
        try {
            insert(1, "opened");
            HealthResult up = health.check();
            assertTrue(up.up(), up.detail());

            // another transaction holds the health row: the write cannot complete
            try (Handle blocker = db.jdbi().open()) {
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
