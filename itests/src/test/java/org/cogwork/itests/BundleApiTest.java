package org.cogwork.itests;

import static org.cogwork.itests.HotDeployTest.bundle;
import static org.cogwork.itests.HotDeployTest.engine;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bundle management API: upload, bad uploads, start/stop, delete, and uploads surviving a restart. */
class BundleApiTest {
    private static final String JAR = "application/java-archive";

    @TempDir
    Path tmp;

    @Test
    void uploadedEngineIsUsableAtOnceAndSurvivesRestart() throws Exception {
        try (Cogwork cogwork = Cogwork.fresh(tmp).start()) {
            byte[] jar = Files.readAllBytes(Cogwork.testBundle("org.cogwork.engine.baseline"));
            Cogwork.Response r = cogwork.post("/api/bundles", jar, JAR);
            assertEquals(201, r.status(), r.body());
            assertEquals("ACTIVE", r.json().path("state").asText());
            assertEquals("upload", r.json().path("origin").asText());
            long id = r.json().path("id").asLong();
            assertNotNull(engine(cogwork.get("/api/engines").json(), "baseline"), "engine listed right after the upload");

            Cogwork.Response stop = cogwork.post("/api/bundles/" + id + "/stop", new byte[0], JAR);
            assertEquals(200, stop.status(), stop.body());
            assertEquals("RESOLVED", stop.json().path("state").asText());
            assertNull(engine(cogwork.get("/api/engines").json(), "baseline"), "engine gone with its bundle stopped");
            Cogwork.Response start = cogwork.post("/api/bundles/" + id + "/start", new byte[0], JAR);
            assertEquals("ACTIVE", start.json().path("state").asText(), start.body());

            // Re-uploading the same bundle updates it in place.
            Cogwork.Response again = cogwork.post("/api/bundles", jar, JAR);
            assertEquals(200, again.status(), again.body());
            assertEquals(id, again.json().path("id").asLong());

            assertEquals(143, cogwork.stop());
            cogwork.start();
            JsonNode engines = cogwork.await("/api/engines", e -> engine(e, "baseline") != null, Duration.ofSeconds(10));
            assertEquals(id, engine(engines, "baseline").path("bundle").path("id").asLong());

            Cogwork.Response del = cogwork.delete("/api/bundles/" + id);
            assertEquals(200, del.status(), del.body());
            assertNull(engine(cogwork.get("/api/engines").json(), "baseline"));
            assertEquals(404, cogwork.get("/api/bundles/" + id).status());
            assertFalseExists(cogwork.home.resolve("data/uploads/org.cogwork.engine.baseline.jar"));
        }
    }

    @Test
    void badUploadsAreRejectedWithAReasonAndChangeNothing() throws Exception {
        try (Cogwork cogwork = Cogwork.fresh(tmp).start()) {
            String before = states(cogwork);

            Cogwork.Response notAJar = cogwork.post("/api/bundles", "this is not a jar".getBytes(StandardCharsets.UTF_8), JAR);
            assertEquals(400, notAJar.status(), notAJar.body());
            assertEquals("not a valid jar file", notAJar.json().path("error").asText());
            assertEquals("body", notAJar.json().path("field").asText());

            Cogwork.Response empty = cogwork.post("/api/bundles", new byte[0], JAR);
            assertEquals(400, empty.status(), empty.body());

            Cogwork.Response noName = cogwork.post("/api/bundles", Jars.manifestOnly(Map.of("Bundle-Version", "1.0.0")), JAR);
            assertEquals(400, noName.status(), noName.body());
            assertEquals("Bundle-SymbolicName", noName.json().path("field").asText());

            byte[] needsMissing = Jars.manifestOnly(Map.of("Bundle-ManifestVersion", "2",
                    "Bundle-SymbolicName", "org.cogwork.test.needsmissing", "Bundle-Version", "1.0.0",
                    "Import-Package", "org.cogwork.does.not.exist"));
            Cogwork.Response missing = cogwork.post("/api/bundles", needsMissing, JAR);
            assertEquals(422, missing.status(), missing.body());
            assertTrue(missing.json().path("detail").asText().contains("org.cogwork.does.not.exist"), missing.body());
            assertNull(bundle(cogwork.get("/api/bundles").json(), "org.cogwork.test.needsmissing"), "rejected bundle left installed");

            JsonNode runtime = bundle(cogwork.get("/api/bundles").json(), "org.cogwork.runtime");
            Cogwork.Response platform = cogwork.delete("/api/bundles/" + runtime.path("id").asLong());
            assertEquals(403, platform.status(), platform.body());
            assertEquals(403, cogwork.post("/api/bundles/0/stop", new byte[0], JAR).status());
            assertEquals(400, cogwork.get("/api/bundles/abc").status());
            assertEquals(404, cogwork.get("/api/bundles/99999").status());

            assertEquals(before, states(cogwork), "bundle states after the rejected requests");
            assertEquals(200, cogwork.get("/health").status());
        }
    }

    @Test
    void servicesAreListedWithSecretsMasked() throws Exception {
        try (Cogwork cogwork = Cogwork.fresh(tmp).start()) {
            JsonNode resources = cogwork.get("/api/services?objectClass=org.cogwork.runtime.rest.RestResource").json();
            assertTrue(resources.size() >= 5, resources.toString());
            assertTrue(resources.toString().contains("\"org.cogwork.runtime.bundles\""), resources.toString());
            JsonNode servlets = cogwork.get("/api/services?objectClass=jakarta.servlet.Servlet").json();
            assertTrue(servlets.toString().contains("\"/api/*\""), "the one REST dispatcher: " + servlets);
            Cogwork.Response bad = cogwork.get("/api/services?filter=(oops");
            assertEquals(400, bad.status());
            assertEquals("filter", bad.json().path("field").asText());
        }
    }

    private static String states(Cogwork cogwork) throws Exception {
        StringBuilder sb = new StringBuilder();
        for (JsonNode b : cogwork.get("/api/bundles").json()) {
            sb.append(b.path("symbolicName").asText()).append('=').append(b.path("state").asText()).append('\n');
        }
        return sb.toString();
    }

    private static void assertFalseExists(Path p) {
        assertTrue(!Files.exists(p), p + " should have been deleted");
    }
}
