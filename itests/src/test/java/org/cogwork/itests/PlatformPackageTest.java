package org.cogwork.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A bundle from outside system/ cannot take over a platform package, by upload or through deploy/. */
class PlatformPackageTest {
    private static final String TAKEOVER = "itest.takeover";

    @TempDir
    Path tmp;

    @Test
    void exportOfAPlatformPackageIsRefusedAndNeverResolved() throws Exception {
        byte[] jar = Jars.manifestOnly(Map.of("Bundle-ManifestVersion", "2", "Bundle-SymbolicName", TAKEOVER,
                "Bundle-Version", "1.0.0", "Export-Package", "org.cogwork.api.engine;version=0.2.9"));
        try (Cogwork cogwork = Cogwork.fresh(tmp).start()) {
            Cogwork.Response r = cogwork.post("/api/bundles", jar, "application/java-archive");
            assertEquals(422, r.status(), r.body());
            assertEquals("Export-Package", r.json().path("field").asText(), r.body());
            assertTrue(r.json().path("error").asText().contains("org.cogwork.api.engine"), r.body());
            assertNull(HotDeployTest.bundle(cogwork.get("/api/bundles").json(), TAKEOVER), "nothing left installed");
            refreshDjl(cogwork, "9.0.1");

            // the same jar dropped into deploy/: installed by the watcher, never resolved, reported
            Files.write(cogwork.home.resolve("deploy/takeover.jar"), jar);
            JsonNode held = cogwork.await("/api/bundles", b -> {
                JsonNode t = HotDeployTest.bundle(b, TAKEOVER);
                return t != null && t.path("problem").asText().contains("org.cogwork.api.engine");
            }, Duration.ofSeconds(15));
            assertEquals("INSTALLED", HotDeployTest.bundle(held, TAKEOVER).path("state").asText());
            refreshDjl(cogwork, "9.0.2");
            JsonNode health = cogwork.get("/health").json();
            assertTrue(health.path("warnings").toString().contains(TAKEOVER), health.toString());

            FileSourceTest.addSharedData(cogwork);
            Cogwork.Response t = TrainingApiTest.submitTo(cogwork, """
                    {"source": "data", "dataset": "sklearn_iris.csv", "target": "species",
                     "engine": "djl", "algorithm": "mlp", "hyperparameters": {"hidden": [8], "epochs": 3}, "seed": 5}""");
            assertEquals(202, t.status(), t.body());
            JsonNode job = TrainingApiTest.awaitDone(cogwork, t.json().path("id").asText());
            assertEquals("SUCCEEDED", job.path("status").asText(), job.toString());
        }
    }

    /**
     * Replaces the DJL adapter in deploy/ by a copy with another version: the watcher updates and refreshes it,
     * which is when it would be rewired to a taken-over package. The engine must come back and /health stay UP.
     */
    private void refreshDjl(Cogwork cogwork, String version) throws Exception {
        Path deployed;
        try (Stream<Path> s = Files.list(cogwork.home.resolve("deploy"))) {
            deployed = s.filter(p -> p.getFileName().toString().startsWith("org.cogwork.engine.djl")).findFirst().orElseThrow();
        }
        Path newer = Jars.withHeaders(deployed, tmp.resolve("djl-" + version + ".jar"), Map.of("Bundle-Version", version));
        Files.copy(newer, deployed, StandardCopyOption.REPLACE_EXISTING);
        cogwork.await("/api/engines", e -> {
            JsonNode djl = HotDeployTest.engine(e, "djl");
            return djl != null && version.equals(djl.path("version").asText());
        }, Duration.ofSeconds(30));
        Cogwork.Response health = cogwork.get("/health");
        assertEquals(200, health.status(), health.body());
        assertEquals("UP", health.json().path("status").asText(), health.body());
    }
}
