package org.cogwork.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What goes wrong in a plugin is reported with its reason, in {@code /api/bundles} and as {@code /health} warnings,
 * and the platform stays UP: a bundle whose activator throws, a component whose configuration it refuses, and a
 * configuration file that cannot be applied.
 */
class ExplainedFailuresTest {
    private static final Duration SOON = Duration.ofSeconds(15);

    @TempDir
    static Path tmp;
    static Cogwork cogwork;

    @BeforeAll
    static void boot() throws Exception {
        cogwork = Cogwork.fresh(tmp).start();
    }

    @AfterAll
    static void shutdown() throws Exception {
        if (cogwork != null) {
            cogwork.stop();
        }
    }

    @Test
    void bundleWhoseActivatorThrowsShowsWhy() throws Exception {
        Path jar = Jars.withHeaders(Cogwork.testBundle("org.cogwork.itests.faulty-engine"), tmp.resolve("throwing.jar"), Map.of(
                "Bundle-SymbolicName", "org.cogwork.itests.throwing",
                "Bundle-Activator", "org.cogwork.itests.faulty.ThrowingActivator"));
        Path deployed = cogwork.home.resolve("deploy/throwing.jar");
        Files.copy(jar, deployed);

        JsonNode bundles = cogwork.await("/api/bundles",
                all -> MavenCentralBundlesTest.bundle(all, "org.cogwork.itests.throwing").path("problem").asText()
                        .contains("activator failed"), SOON);
        JsonNode b = MavenCentralBundlesTest.bundle(bundles, "org.cogwork.itests.throwing");
        assertEquals("RESOLVED", b.path("state").asText(), b.toString());
        assertTrue(b.path("problem").asText().contains(
                "its activator failed: java.lang.IllegalStateException: the throwing activator fails on purpose"), b.toString());
        JsonNode health = awaitHealthWarning(w -> w.contains("org.cogwork.itests.throwing") && w.contains("fails on purpose"));
        assertEquals("UP", health.path("status").asText());

        Files.delete(deployed);
        awaitHealth(h -> !h.toString().contains("org.cogwork.itests.throwing"));
    }

    @Test
    void componentThatRefusesItsConfigurationShowsWhy() throws Exception {
        Files.copy(Cogwork.testBundle("org.cogwork.connector.s3"), cogwork.home.resolve("deploy/s3-connector.jar"));
        Path cfg = cogwork.home.resolve("config/org.cogwork.artifacts.s3-lake.cfg");
        Files.writeString(cfg, "name=lake\nbucket=models/2024\n");

        JsonNode health = awaitHealthWarning(w -> w.contains("org.cogwork.artifacts.s3")
                && w.contains("org.cogwork.artifacts.s3~lake from config/org.cogwork.artifacts.s3-lake.cfg")
                && w.contains("failed to activate: java.lang.IllegalArgumentException: bucket must be a bucket name without '/'"));
        assertEquals("UP", health.path("status").asText(), health.toString());

        Files.writeString(cfg, "name=lake\nbucket=models\nendpoint=http://127.0.0.1:9\npath_style=true\n");
        awaitHealth(h -> !h.toString().contains("org.cogwork.artifacts.s3~lake"));
        Files.delete(cfg);
    }

    @Test
    void configurationFileThatCannotBeAppliedShowsWhy() throws Exception {
        Path file = cogwork.home.resolve("config/org.cogwork.itests.example.config");
        Files.writeString(file, "size=I\"many\"\n");
        JsonNode health = awaitHealthWarning(w -> w.contains("configuration file config/org.cogwork.itests.example.config could not be applied")
                && w.contains("NumberFormatException"));
        assertEquals("UP", health.path("status").asText());

        Files.writeString(file, "size=I\"3\"\n");
        awaitHealth(h -> !h.toString().contains("org.cogwork.itests.example.config"));
        Files.delete(file);
    }

    /** Waits for /health UP with a warning that satisfies {@code warning}. */
    private static JsonNode awaitHealthWarning(Predicate<String> warning) throws Exception {
        return awaitHealth(h -> {
            for (JsonNode w : h.path("warnings")) {
                if (warning.test(w.asText())) {
                    return true;
                }
            }
            return false;
        });
    }

    /** Waits for /health UP (200) satisfying {@code condition}. */
    private static JsonNode awaitHealth(Predicate<JsonNode> condition) throws Exception {
        return cogwork.await("/health", h -> "UP".equals(h.path("status").asText()) && condition.test(h), SOON);
    }
}
