package org.cogwork.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A home copied or moved to another folder starts: the framework cache named the old folder's jars (before,
 * "Bundle symbolic name and version are not unique"), and FileInstall's stored configuration its deploy folder.
 */
class MovedHomeTest {
    @TempDir
    Path tmp;

    @Test
    void copiedThenMovedHomeStartsWithItsBundlesAndUploads() throws Exception {
        Cogwork original = Cogwork.fresh(tmp.resolve("a"));
        try (original) {
            original.start();
            Files.copy(Cogwork.testBundle("org.cogwork.features.winsorize"), original.home.resolve("deploy/winsorize.jar"));
            byte[] baseline = Files.readAllBytes(Cogwork.testBundle("org.cogwork.engine.baseline"));
            assertEquals(201, original.post("/api/bundles", baseline, "application/java-archive").status());
            original.await("/api/bundles", all -> "ACTIVE".equals(MavenCentralBundlesTest.bundle(all, "org.cogwork.features.winsorize")
                    .path("state").asText()), java.time.Duration.ofSeconds(10));
        }

        // a copy, the original folder still there
        Cogwork copy = Cogwork.fresh(tmp.resolve("b"));
        replaceTree(original.home, copy.home);
        try (copy) {
            copy.start();
            assertTrue(copy.log().contains("this home was moved or copied from " + original.home.toAbsolutePath().normalize()
                    + " to " + copy.home.toAbsolutePath().normalize()), copy.log());
            assertStartedHere(copy);
        }

        // the copy moved again, its old folder gone
        Cogwork moved = Cogwork.fresh(tmp.resolve("c"));
        deleteTree(moved.home);
        Files.move(copy.home, moved.home);
        try (moved) {
            moved.start();
            assertTrue(moved.log().contains("this home was moved or copied from " + copy.home.toAbsolutePath().normalize()), moved.log());
            assertFalse(moved.log().contains("ERROR"), "no error for the old folder's missing jars: " + moved.log());
            assertStartedHere(moved);
        }
    }

    @Test
    void aStartThatFailsNamesClean() throws Exception {
        Cogwork c = Cogwork.fresh(tmp);
        Path api;
        try (Stream<Path> s = Files.list(c.home.resolve("system"))) {
            api = s.filter(p -> p.getFileName().toString().startsWith("org.cogwork.api-")).findFirst().orElseThrow();
        }
        Files.copy(api, c.home.resolve("system/org.cogwork.api-copy.jar"));
        Process p = c.launch("--port", Integer.toString(Cogwork.freePort()));
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "should exit");
        assertEquals(1, p.exitValue());
        assertTrue(c.log().contains("Bundle symbolic name and version are not unique"), c.log());
        assertTrue(c.log().contains("'bin/cogwork run --clean' starts with a fresh one"), c.log());
    }

    private static void assertStartedHere(Cogwork c) throws Exception {
        JsonNode bundles = c.get("/api/bundles").json();
        for (JsonNode b : bundles) {
            assertTrue(Set.of("framework", "system", "deploy", "upload").contains(b.path("origin").asText()), "from this home: " + b);
            assertEquals("ACTIVE", b.path("state").asText(), b.toString());
        }
        assertEquals("upload", MavenCentralBundlesTest.bundle(bundles, "org.cogwork.engine.baseline").path("origin").asText(),
                "the uploaded bundle is kept: " + bundles);
        assertEquals("deploy", MavenCentralBundlesTest.bundle(bundles, "org.cogwork.features.winsorize").path("origin").asText());
        JsonNode health = c.get("/health").json();
        assertEquals("UP", health.path("status").asText());
        assertEquals(0, health.path("warnings").size(), health.toString());
    }

    private static void replaceTree(Path from, Path to) throws Exception {
        deleteTree(to);
        Cogwork.copyTree(from, to);
    }

    private static void deleteTree(Path dir) throws Exception {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(p);
            }
        }
    }
}
