package org.cogwork.persistence.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.cogwork.api.health.HealthResult;
import org.cogwork.persistence.Database;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.util.converter.Converters;

/**
 * Migrations contributed by several modules (as bundles contribute theirs) on a real database: embedded H2 and
 * PostgreSQL (subclasses). Scripts are written to folders per module, as a bundle carries them in db/migration/.
 */
abstract class MigrationsContractTest {
    @TempDir
    Path data;
    final List<MetadataStore> stores = new ArrayList<>();
    /** Unique per test, so modules of reruns against one server never collide. */
    final String u = UUID.randomUUID().toString().replace("-", "").substring(0, 8);
    Path a;
    Path b;

    abstract Map<String, Object> dbConfig() throws Exception;

    static PersistenceConfig config(Map<String, Object> m) {
        return Converters.standardConverter().convert(m).to(PersistenceConfig.class);
    }

    MetadataStore open() throws Exception {
        MetadataStore s = new MetadataStore(config(dbConfig()), data);
        stores.add(s);
        return s;
    }

    @BeforeEach
    void scripts() throws Exception {
        a = Files.createDirectories(data.resolve("a"));
        b = Files.createDirectories(data.resolve("b"));
        Files.writeString(a.resolve("V1__items.sql"), """
                -- module a, version 1
                CREATE TABLE a_items_%1$s (
                    id INTEGER NOT NULL PRIMARY KEY,
                    name VARCHAR(100) NOT NULL
                );
                INSERT INTO a_items_%1$s (id, name) VALUES (1, 'first');
                """.formatted(u));
        Files.writeString(a.resolve("V2__item_size.sql"), "ALTER TABLE a_items_%1$s ADD COLUMN size_bytes BIGINT;\nUPDATE a_items_%1$s SET size_bytes = 10;\n".formatted(u));
        Files.writeString(b.resolve("V1__notes.sql"), "CREATE TABLE b_notes_%1$s (id INTEGER NOT NULL PRIMARY KEY, body VARCHAR(100));\n".formatted(u));
    }

    @AfterEach
    void close() {
        stores.forEach(MetadataStore::close);
    }

    private static int count(Database db, String sql) {
        return db.jdbi().withHandle(h -> h.createQuery(sql).mapTo(Integer.class).one());
    }

    @Test
    void twoModulesAreMigratedOnceInOrder() throws Exception {
        MetadataStore store = open();
        Database da = store.database("a" + u, MigrationSource.of(a));
        Database db = store.database("b" + u, MigrationSource.of(b));
        // V2 ran after V1: the column it added holds what its UPDATE wrote into V1's row
        assertEquals(10, count(da, "SELECT size_bytes FROM a_items_" + u + " WHERE id = 1"));
        assertEquals(0, count(db, "SELECT COUNT(*) FROM b_notes_" + u));
        assertEquals(List.of(1, 2), store.appliedVersions("a" + u));
        assertEquals(List.of(1), store.appliedVersions("b" + u));
        da.txVoid(h -> h.execute("INSERT INTO a_items_" + u + " (id, name) VALUES (2, 'second')"));
        store.close();

        // reopened: nothing applied again (V1's INSERT would fail on the primary key, V2's ALTER on the column)
        MetadataStore again = open();
        Database da2 = again.database("a" + u, MigrationSource.of(a));
        assertEquals(2, count(da2, "SELECT COUNT(*) FROM a_items_" + u));
        assertEquals(List.of(1, 2), again.appliedVersions("a" + u));

        // a new version of one module is applied alone
        Files.writeString(b.resolve("V2__note_author.sql"), "ALTER TABLE b_notes_%s ADD COLUMN author VARCHAR(100);\n".formatted(u));
        Database db2 = again.database("b" + u, MigrationSource.of(b));
        assertEquals(0, count(db2, "SELECT COUNT(author) FROM b_notes_" + u));
        assertEquals(List.of(1, 2), again.appliedVersions("b" + u));
        assertTrue(again.health().up(), again.health().detail());
    }

    @Test
    void aBrokenModuleFailsAloneAndSaysWhy() throws Exception {
        Path gap = Files.createDirectories(data.resolve("gap"));
        Files.writeString(gap.resolve("V1__one.sql"), "CREATE TABLE gap_one_%s (id INTEGER);\n".formatted(u));
        Files.writeString(gap.resolve("V3__three.sql"), "CREATE TABLE gap_three_%s (id INTEGER);\n".formatted(u));
        Path bad = Files.createDirectories(data.resolve("bad"));
        Files.writeString(bad.resolve("V1__bad.sql"), "CREATE TABLE bad_%1$s (id INTEGER);\nTHIS IS NOT SQL;\n".formatted(u));

        MetadataStore store = open();
        IllegalStateException skipped = assertThrows(IllegalStateException.class, () -> store.database("gap" + u, MigrationSource.of(gap)).jdbi());
        assertTrue(skipped.getMessage().contains("skip from V1 to V3"), skipped.getMessage());
        assertThrows(RuntimeException.class, () -> store.database("bad" + u, MigrationSource.of(bad)).jdbi());
        assertEquals(List.of(), store.appliedVersions("bad" + u), "a failed version is not recorded");

        // other modules are unaffected; health names the broken ones
        assertEquals(1, count(store.database("a" + u, MigrationSource.of(a)), "SELECT COUNT(*) FROM a_items_" + u));
        HealthResult h = store.health();
        assertFalse(h.up());
        assertTrue(h.detail().contains("gap" + u) && h.detail().contains("bad" + u), h.detail());
    }

    @Test
    void aDatabaseNewerThanTheModuleIsRefused() throws Exception {
        MetadataStore store = open();
        store.database("a" + u, MigrationSource.of(a)).jdbi();
        Files.delete(a.resolve("V2__item_size.sql"));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> store.database("a" + u, MigrationSource.of(a)).jdbi());
        assertTrue(e.getMessage().contains("newer than this bundle knows"), e.getMessage());
    }

    @Test
    void storesStartingTogetherMigrateOnce() throws Exception {
        // two runtimes on one database start at the same moment (on H2 two stores of one process)
        List<MetadataStore> two = List.of(open(), open());
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<Integer>> done = new ArrayList<>();
            for (MetadataStore s : two) {
                Callable<Integer> c = () -> count(s.database("a" + u, MigrationSource.of(a)), "SELECT COUNT(*) FROM a_items_" + u);
                done.add(pool.submit(c));
            }
            for (Future<Integer> f : done) {
                assertEquals(1, f.get());
            }
        } finally {
            pool.shutdown();
        }
        assertEquals(List.of(1, 2), two.get(0).appliedVersions("a" + u));
    }
}
