package org.cogwork.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BootTest {
    @TempDir
    Path data;

    @Test
    void configStoreMovesOutOfTheFrameworkCacheOnce() throws Exception {
        Path cache = data.resolve("felix-cache");
        Path old = Files.createDirectories(cache.resolve("bundle7/data/config/org/cogwork"));
        Files.writeString(old.resolve("source.config"), "id=\"data\"");
        Files.createDirectories(cache.resolve("bundle3/data"));
        Path store = data.resolve("config");

        Boot.migrateConfigStore(cache, store);
        assertEquals("id=\"data\"", Files.readString(store.resolve("org/cogwork/source.config")));
        assertFalse(Files.exists(cache.resolve("bundle7/data/config")), "moved, not copied: one store only");

        Files.createDirectories(cache.resolve("bundle9/data/config"));
        Boot.migrateConfigStore(cache, store);
        assertTrue(Files.exists(cache.resolve("bundle9/data/config")), "an existing store is never replaced");
    }

    @Test
    void safeOption() throws Exception {
        assertTrue(Options.parse(new String[] {"run", "--safe"}, data).safe());
        assertFalse(Options.parse(new String[] {"run"}, data).safe());
    }
}
