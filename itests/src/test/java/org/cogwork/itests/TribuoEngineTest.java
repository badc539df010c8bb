package org.cogwork.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Tribuo engine ships in the distribution (system/): its two bundles resolve and the engine is listed. */
class TribuoEngineTest {
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
        }
    }

    @Test
    void tribuoIsListedWithItsAlgorithms() throws Exception {
        Cogwork.Response r = cogwork.get("/api/engines/tribuo");
        assertEquals(200, r.status(), r.body());
        JsonNode tribuo = r.json();
        assertEquals("AVAILABLE", tribuo.path("status").asText(), tribuo.toString());
        assertEquals("[\"CLASSIFICATION\",\"REGRESSION\",\"CLUSTERING\"]", tribuo.path("tasks").toString());
        assertEquals(List.of("CLASSIFICATION logistic", "CLASSIFICATION liblinear-logistic", "CLASSIFICATION cart", "CLASSIFICATION random-forest",
                "REGRESSION linear", "REGRESSION cart", "REGRESSION random-forest", "CLUSTERING kmeans"), algorithms(tribuo));
        for (JsonNode a : tribuo.path("algorithms")) {
            assertTrue(a.path("hyperparameters").size() > 0, a.toString());
            for (JsonNode h : a.path("hyperparameters")) {
                // every one has a default but a forest's features per split, which depends on the data (and says so)
                boolean fromData = a.path("name").asText().equals("random-forest") && h.path("name").asText().equals("fractionFeaturesInSplit");
                assertTrue((fromData ? !h.has("default") && h.path("description").asText().contains("when left out") : h.has("default"))
                        && h.has("min") && !h.path("description").asText().isBlank(), h.toString());
            }
        }
        JsonNode cartDepth = tribuo.path("algorithms").get(2).path("hyperparameters").get(0);
        assertEquals("{\"name\":\"maxDepth\",\"type\":\"INTEGER\",\"required\":false,\"default\":6,\"min\":1,\"minInclusive\":true,"
                + "\"max\":1000,\"maxInclusive\":true,\"description\":\"maximum tree depth\"}", cartDepth.toString());
        assertNotNull(HotDeployTest.engine(cogwork.get("/api/engines").json(), "tribuo"), "listed with all engines");
    }

    @Test
    void bundlesAreActiveAndHealthIsUpWithoutWarnings() throws Exception {
        JsonNode bundles = cogwork.get("/api/bundles").json();
        for (String name : List.of("org.cogwork.tribuo.lib", "org.cogwork.engine.tribuo")) {
            JsonNode b = HotDeployTest.bundle(bundles, name);
            assertNotNull(b, name + " in " + bundles);
            assertEquals("ACTIVE", b.path("state").asText(), b.toString());
        }
        Cogwork.Response health = cogwork.get("/health");
        assertEquals(200, health.status(), health.body());
        JsonNode body = health.json();
        assertEquals("UP", body.path("status").asText(), body.toString());
        assertEquals(0, body.path("problems").size(), body.toString());
        assertEquals(0, body.path("warnings").size(), body.toString());
        String log = cogwork.log();
        assertTrue(log.contains("Engine tribuo"), log);
        // FileInstall occasionally (1 run in ~6, since the registry made start-up longer) starts a short-lived
        // watcher on its default "./load" folder and warns that it is missing; known, harmless, under
        // investigation. Every other warning or error fails the test.
        // FileInstall's start of a deploy/ bundle can fail on Felix's "Unable to acquire global lock for resolve" while
        // another bundle resolves (CI, 1 run in ~10); BundleWatch starts such a bundle again: it must be ACTIVE.
        List<String> lines = log.lines().toList();
        List<String> relevant = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i);
            java.util.regex.Matcher retried = java.util.regex.Pattern.compile("fileinstall - Error while starting bundle: \\S*/([^/]+)-\\d[^/]*\\.jar")
                    .matcher(l);
            if (retried.find() && i + 1 < lines.size() && lines.get(i + 1).contains("Unable to acquire global lock")) {
                String name = retried.group(1);
                cogwork.await("/api/bundles", b -> HotDeployTest.bundle(b, name) != null && "ACTIVE".equals(HotDeployTest.bundle(b, name).path("state").asText()),
                        java.time.Duration.ofSeconds(30));
                continue;
            }
            if (!(l.contains("fileinstall") && l.contains("load"))) {
                relevant.add(l);
            }
        }
        String kept = String.join("\n", relevant);
        assertTrue(!kept.contains("[WARN]") && !kept.contains("[ERROR]"), log);
    }

    private static List<String> algorithms(JsonNode engine) {
        List<String> out = new ArrayList<>();
        for (JsonNode a : engine.path("algorithms")) {
            out.add(a.path("task").asText() + " " + a.path("name").asText());
        }
        return out;
    }
}
