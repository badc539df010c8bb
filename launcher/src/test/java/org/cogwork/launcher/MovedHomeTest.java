package org.cogwork.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MovedHomeTest {
    @TempDir
    Path tmp;

    @Test
    void bundleLocationsNameTheHomeTheyCameFrom() {
        assertEquals(Path.of("/old/cogwork"), MovedHome.homeOf("reference:file:/old/cogwork/system/org.cogwork.api-0.1.0.jar"));
        assertEquals(Path.of("/old/cogwork"), MovedHome.homeOf("reference:file:/old/cogwork/system/shell/gogo.jar"));
        assertEquals(Path.of("/old/cogwork"), MovedHome.homeOf("file:/old/cogwork/deploy/engine.jar"));
        assertEquals(Path.of("/old/my home"), MovedHome.homeOf("file:/old/my%20home/deploy/engine.jar"));
        assertNull(MovedHome.homeOf("cogwork:upload:org.example.engine"), "uploads name no folder: kept");
        assertNull(MovedHome.homeOf("System Bundle"));
        assertNull(MovedHome.homeOf("file:/somewhere/else/engine.jar"), "a jar installed from elsewhere (shell) is left alone");
    }

    @Test
    void configurationsMadeFromAnotherHomesFilesAreDeleted() throws Exception {
        Path store = Files.createDirectories(tmp.resolve("new/data/config/org/apache/felix"));
        Path config = Files.createDirectories(tmp.resolve("new/config"));
        Path stale = Files.writeString(store.resolve("fileinstall%007edeploy.config"),
                "felix.fileinstall.dir=\"/old/deploy\"\nfelix.fileinstall.filename=\"file:" + tmp.resolve("old/config/x.cfg") + "\"\n");
        Path current = Files.writeString(store.resolve("mine.config"),
                "felix.fileinstall.filename=\"" + config.resolve("mine.cfg").toUri() + "\"\n");
        Path api = Files.writeString(store.resolve("source.config"), "id=\"made over REST\"\n");

        List<Path> sources = new ArrayList<>();
        assertEquals(1, MovedHome.deleteFileConfigurations(tmp.resolve("new/data/config"), config, sources));
        assertFalse(Files.exists(stale));
        assertTrue(Files.exists(current));
        assertTrue(Files.exists(api));
        assertEquals(List.of(tmp.resolve("old/config/x.cfg")), sources);
    }
}
