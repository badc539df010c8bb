package org.cogwork.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Engine bundles dropped into, replaced in and removed from {@code deploy/} while the runtime runs. */
class HotDeployTest {
    /** The bound: a jar copied into deploy/ is installed and started within 2 seconds. */
    private static final Duration DEPLOY_BOUND = Duration.ofSeconds(2);

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
            assertEquals(143, cogwork.stop(), "exit code after SIGTERM");
            assertTrue(cogwork.log().contains("Cogwork stopped"), cogwork.log());
        }
    }

    @Test
    void bootsToHealthUpWithNoProblems() throws Exception {
        Cogwork.Response health = cogwork.get("/health");
        assertEquals(200, health.status(), health.body());
        JsonNode body = health.json();
        assertEquals("UP", body.path("status").asText());
        assertEquals(0, body.path("problems").size(), body.toString());
        assertTrue(body.path("components").path("active").asInt() >= 5, body.toString());
        assertTrue(cogwork.log().contains("listening on http://127.0.0.1:" + cogwork.port + "/"), cogwork.log());
    }

    @Test
    void engineBundleIsDeployedUpdatedAndRemovedWithoutRestart() throws Exception {
        Path deployed = cogwork.home.resolve("deploy/baseline-engine.jar");

        Files.copy(Cogwork.testBundle("org.cogwork.engine.baseline"), deployed);
        JsonNode engines = cogwork.await("/api/engines", e -> engine(e, "baseline") != null, DEPLOY_BOUND);
        JsonNode first = engine(engines, "baseline");
        assertEquals("AVAILABLE", first.path("status").asText());
        assertTrue(first.path("tasks").toString().contains("CLASSIFICATION"), first.toString());
        long bundleId = first.path("bundle").path("id").asLong();
        assertHealthUp();

        Path newer = Jars.withHeaders(Cogwork.testBundle("org.cogwork.engine.baseline"), tmp.resolve("newer.jar"),
                Map.of("Bundle-Version", "0.1.1"));
        Files.copy(newer, deployed, StandardCopyOption.REPLACE_EXISTING);
        engines = cogwork.await("/api/engines", e -> {
            JsonNode b = engine(e, "baseline");
            return b != null && "0.1.1".equals(b.path("version").asText());
        }, DEPLOY_BOUND.plusSeconds(1));
        assertEquals(1, StreamSupport.stream(engines.spliterator(), false)
                .filter(e -> "baseline".equals(e.path("name").asText())).count(), "one baseline engine after the update: " + engines);
        assertEquals(bundleId, engine(engines, "baseline").path("bundle").path("id").asLong(),
                "updated in place, not installed a second time");
        assertHealthUp();

        Files.delete(deployed);
        cogwork.await("/api/engines", e -> engine(e, "baseline") == null, DEPLOY_BOUND);
        // the engine leaves when the bundle stops; the uninstall that follows takes a moment longer
        cogwork.await("/api/bundles", bundles -> StreamSupport.stream(bundles.spliterator(), false)
                .noneMatch(b -> "org.cogwork.engine.baseline".equals(b.path("symbolicName").asText())), DEPLOY_BOUND);
        assertHealthUp();

        // the distribution's own engines (tribuo) announce themselves at start-up: only baseline's events count here
        List<JsonNode> events = StreamSupport.stream(cogwork.get("/api/events?topic=cogwork/engine/").json().spliterator(), false)
                .filter(e -> "baseline".equals(e.path("engine.name").asText())).toList();
        String topics = events.stream().map(e -> e.path("topic").asText()).toList().toString();
        assertTrue(topics.startsWith("[cogwork/engine/ADDED, cogwork/engine/REMOVED, cogwork/engine/ADDED"), topics);
        assertTrue(topics.endsWith("cogwork/engine/REMOVED]"), topics);
        assertEquals("0.1.1", events.get(2).path("engine.version").asText(), events.toString());
    }

    @Test
    void bundleThatCannotResolveIsReportedAndDisturbsNothing() throws Exception {
        Path broken = cogwork.home.resolve("deploy/needs-missing.jar");
        Files.write(broken, Jars.manifestOnly(Map.of("Bundle-ManifestVersion", "2",
                "Bundle-SymbolicName", "org.cogwork.test.needsmissing", "Bundle-Version", "1.0.0",
                "Import-Package", "org.cogwork.does.not.exist;version=\"[1,2)\"")));
        JsonNode bundles = cogwork.await("/api/bundles", b -> bundle(b, "org.cogwork.test.needsmissing") != null,
                DEPLOY_BOUND);
        JsonNode b = bundle(bundles, "org.cogwork.test.needsmissing");
        assertEquals("INSTALLED", b.path("state").asText());
        assertTrue(b.path("problem").asText().contains("org.cogwork.does.not.exist"), b.toString());

        Cogwork.Response health = cogwork.get("/health");
        assertEquals(200, health.status(), "a plugin that cannot resolve does not make the platform DOWN");
        assertTrue(health.json().path("warnings").toString().contains("org.cogwork.does.not.exist"), health.body());
        // The runtime logs the failure from its own thread, possibly after /api/bundles already shows it.
        long logDeadline = System.nanoTime() + DEPLOY_BOUND.toNanos();
        String log = cogwork.log();
        while (!(log.contains("org.cogwork.test.needsmissing") && log.contains("org.cogwork.does.not.exist"))
                && System.nanoTime() < logDeadline) {
            Thread.sleep(25);
            log = cogwork.log();
        }
        assertTrue(log.contains("org.cogwork.test.needsmissing") && log.contains("org.cogwork.does.not.exist"), log);

        Files.delete(broken);
        cogwork.await("/api/bundles", x -> bundle(x, "org.cogwork.test.needsmissing") == null, DEPLOY_BOUND);
        assertEquals(0, cogwork.get("/health").json().path("warnings").size());
    }

    private static void assertHealthUp() throws Exception {
        Cogwork.Response r = cogwork.get("/health");
        assertEquals(200, r.status(), r.body());
        assertEquals("UP", r.json().path("status").asText(), r.body());
    }

    static JsonNode engine(JsonNode engines, String name) {
        for (JsonNode e : engines) {
            if (name.equals(e.path("name").asText())) {
                return e;
            }
        }
        return null;
    }

    static JsonNode bundle(JsonNode bundles, String symbolicName) {
        for (JsonNode b : bundles) {
            if (symbolicName.equals(b.path("symbolicName").asText())) {
                return b;
            }
        }
        return null;
    }
}
