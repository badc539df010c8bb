package org.cogwork.persistence.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.cogwork.persistence.internal.MetadataStore;
import org.cogwork.persistence.internal.MigrationSource;
import org.cogwork.persistence.internal.PersistenceConfig;
import org.osgi.util.converter.Converters;

/**
 * For the tests of every bundle with tables: a module's migrations on the embedded store, each version stopped after
 * each of its statements as a kill -9 would leave it (H2 commits each DDL statement as it goes, so the first
 * {@code k} statements are done and the version is not recorded), then opened again: the version must run again to
 * its end. A script that is not re-runnable (a {@code CREATE TABLE} without {@code IF NOT EXISTS}, say) fails here
 * and would have left a store that never starts again.
 */
public final class MigrationRerun {
    private MigrationRerun() {
    }

    /** Checks every version of {@code module}'s scripts in {@code folder} ({@code target/classes/db/migration}). */
    public static void assertEveryVersionCompletesAfterAStopAtAnyStatement(String module, Path folder, Path temp) throws Exception {
        MigrationSource all = MigrationSource.of(folder);
        Map<Integer, String> scripts = MetadataStore.scripts(module, all);
        int runs = 0;
        for (Map.Entry<Integer, String> version : scripts.entrySet()) {
            int v = version.getKey();
            List<String> statements = MetadataStore.statements(all.read(version.getValue()));
            for (int k = 0; k <= statements.size(); k++) {
                Path data = temp.resolve(module + "-v" + v + "-stop" + k);
                if (v > 1) {
                    try (MetadataStore store = new MetadataStore(settings(), data)) {
                        store.database(module, upTo(all, scripts, v - 1)).jdbi();
                    }
                }
                String url = "jdbc:h2:file:" + data.resolve("metadata/cogwork").toAbsolutePath() + ";WRITE_DELAY=0";
                try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
                    for (String sql : statements.subList(0, k)) {
                        st.execute(sql);
                    }
                }
                try (MetadataStore store = new MetadataStore(settings(), data)) {
                    store.database(module, all).jdbi();
                    assertEquals(IntStream.rangeClosed(1, scripts.size()).boxed().toList(), store.appliedVersions(module),
                            module + " V" + v + " stopped after statement " + k + " of " + statements.size());
                }
                runs++;
            }
        }
        assertTrue(runs > scripts.size(), module + ": no statements found in " + folder);
    }

    private static PersistenceConfig settings() {
        return Converters.standardConverter().convert(Map.of()).to(PersistenceConfig.class);
    }

    private static MigrationSource upTo(MigrationSource all, Map<Integer, String> scripts, int newest) {
        return new MigrationSource() {
            @Override
            public List<String> names() {
                return scripts.entrySet().stream().filter(e -> e.getKey() <= newest).map(Map.Entry::getValue).toList();
            }

            @Override
            public String read(String name) {
                return all.read(name);
            }
        };
    }
}
