package org.cogwork.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bundles from Maven Central, built against slf4j 1.7 ({@code org.slf4j;version="[1.7,2)"}), dropped into
 * {@code deploy/} as a plugin author would: Felix Web Console 5 and Felix Health Checks with what they import beyond
 * the platform (itests/pom.xml copies them from Maven Central at build time).
 */
class MavenCentralBundlesTest {
    static final List<String> BUNDLES = List.of("org.apache.felix.webconsole", "org.apache.felix.inventory", "org.owasp.encoder",
            "org.apache.felix.healthcheck.api", "org.apache.felix.healthcheck.core", "org.apache.felix.healthcheck.generalchecks");
    private static final String CONSOLE = "/system/console/bundles";

    @TempDir
    static Path tmp;
    static Cogwork cogwork;

    @BeforeAll
    static void boot() throws Exception {
        cogwork = Cogwork.fresh(tmp).start();
        Path from = Path.of(System.getProperty("cogwork.mavenCentralBundles", "target/maven-central-bundles"));
        try (Stream<Path> jars = Files.list(from)) {
            for (Path jar : (Iterable<Path>) jars::iterator) {
                Files.copy(jar, cogwork.home.resolve("deploy").resolve(jar.getFileName()));
            }
        }
    }

    @AfterAll
    static void shutdown() throws Exception {
        if (cogwork != null) {
            cogwork.stop();
        }
    }

    @Test
    void webConsoleAndHealthChecksBecomeActive() throws Exception {
        JsonNode bundles = cogwork.await("/api/bundles", all -> BUNDLES.stream().allMatch(bsn -> "ACTIVE".equals(bundle(all, bsn).path("state").asText())),
                Duration.ofSeconds(30));
        for (String bsn : BUNDLES) {
            JsonNode b = bundle(bundles, bsn);
            assertEquals("deploy", b.path("origin").asText(), b.toString());
            assertTrue(b.path("problem").isMissingNode(), b.toString());
        }
        Cogwork.Response health = cogwork.get("/health");
        assertEquals(200, health.status(), health.body());
        assertEquals("UP", health.json().path("status").asText());
        assertFalse(health.body().contains("org.apache.felix.webconsole") || health.body().contains("healthcheck"),
                "no warning about the new bundles: " + health.body());
    }

    /**
     * The web console brings its own servlet context with its own login (admin/admin unless configured): Cogwork's
     * sign-in filters that context too, so the console answers only a caller with Cogwork credentials that the
     * console accepts as well.
     */
    @Test
    void webConsoleIsNotAnUnauthenticatedAdminDoor() throws Exception {
        cogwork.await("/api/bundles", all -> "ACTIVE".equals(bundle(all, "org.apache.felix.webconsole").path("state").asText()),
                Duration.ofSeconds(30));
        // serving (an unknown path would be Cogwork's 404), and refusing Cogwork's admin, whom it does not know yet
        awaitStatus(Cogwork.ADMIN, 401);
        assertEquals(401, cogwork.as(null).get(CONSOLE).status(), "anonymous");
        Cogwork.Response consoleDefault = cogwork.as(Cogwork.basic("admin", "admin")).get(CONSOLE);
        assertEquals(401, consoleDefault.status(), "the console's default login is not a Cogwork account: " + consoleDefault.body());
        assertTrue(consoleDefault.body().contains("wrong user name or password"), "refused by Cogwork's sign-in: " + consoleDefault.body());

        // the console's own user set to Cogwork's admin (its configuration PID): now the admin, and only the admin, gets in
        Files.writeString(cogwork.home.resolve("config/org.apache.felix.webconsole.internal.servlet.OsgiManager.cfg"),
                "username=admin\npassword=" + Cogwork.ADMIN_PASSWORD + "\n");
        Cogwork.Response in = awaitStatus(Cogwork.ADMIN, 200);
        assertTrue(in.body().contains("org.apache.felix.webconsole"), in.body());
        assertEquals(401, cogwork.as(null).get(CONSOLE).status(), "still closed to anonymous callers");
        assertEquals(401, cogwork.as(Cogwork.basic("admin", "admin")).get(CONSOLE).status());
    }

    /** A requirement looked up at class-load time (DynamicImport-Package) is never reported as missing. */
    @Test
    void dynamicImportsAreNotReportedAsMissing() throws Exception {
        Files.write(cogwork.home.resolve("deploy/dynamic.jar"), Jars.manifestOnly(Map.of(
                "Bundle-ManifestVersion", "2",
                "Bundle-SymbolicName", "org.example.dynamic",
                "Bundle-Version", "1.0.0",
                "Import-Package", "org.example.absent;version=\"[1,2)\"",
                "DynamicImport-Package", "org.example.looked.up.later,javax.jcr")));
        JsonNode bundles = cogwork.await("/api/bundles", all -> bundle(all, "org.example.dynamic").has("problem"), Duration.ofSeconds(10));
        String problem = bundle(bundles, "org.example.dynamic").path("problem").asText();
        assertTrue(problem.contains("org.example.absent"), problem);
        assertFalse(problem.contains("org.example.looked.up.later") || problem.contains("javax.jcr"), problem);
        Files.delete(cogwork.home.resolve("deploy/dynamic.jar"));
    }

    private static Cogwork.Response awaitStatus(String authorization, int status) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        Cogwork.Response r = null;
        while (System.nanoTime() < deadline) {
            r = cogwork.as(authorization).get(CONSOLE);
            if (r.status() == status) {
                return r;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("GET " + CONSOLE + " did not answer " + status + ": " + (r == null ? "" : r.status() + " " + r.body()));
    }

    static JsonNode bundle(JsonNode bundles, String bsn) {
        for (JsonNode b : bundles) {
            if (bsn.equals(b.path("symbolicName").asText())) {
                return b;
            }
        }
        return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
    }
}
