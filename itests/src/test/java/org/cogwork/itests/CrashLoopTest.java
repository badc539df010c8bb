package org.cogwork.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crash-loop protection: a bundle that calls {@code System.exit} stops the JVM once, and the next start comes
 * up in safe mode without it, with every source kept.
 */
class CrashLoopTest {
    private static final String DJL = "org.cogwork.engine.djl";
    private static final String XGBOOST = "org.cogwork.engine.xgboost";
    private static final String ONNX = "org.cogwork.engine.onnx";

    @TempDir
    Path tmp;

    @Test
    void uploadedBundleThatExitsIsHeldBackAtTheNextStart() throws Exception {
        try (Cogwork cogwork = Cogwork.fresh(tmp).start()) {
            FileSourceTest.addSharedData(cogwork);
            byte[] jar = exitBundle(tmp, "itest.exit.upload", "true");
            try {
                cogwork.post("/api/bundles", jar, "application/java-archive");
            } catch (IOException e) {
                // the JVM went away while answering
            }
            assertEquals(3, cogwork.awaitExit(Duration.ofSeconds(60)), cogwork.log());
            assertTrue(cogwork.log().contains("bundle itest.exit.upload 1.0.0 called System.exit"), cogwork.log());

            cogwork.start(); // before the fix: exits 3 again, restarted from the framework cache
            assertTrue(cogwork.log().contains("SAFE MODE"), cogwork.log());
            JsonNode health = cogwork.get("/health").json();
            assertEquals("UP", health.path("status").asText(), health.toString());
            assertTrue(health.path("safeMode").asBoolean(), health.toString());
            assertTrue(health.path("warnings").toString().contains("itest.exit.upload"), health.toString());
            JsonNode held = HotDeployTest.bundle(cogwork.get("/api/bundles").json(), "itest.exit.upload");
            assertNotNull(held, "still installed");
            assertNotEquals("ACTIVE", held.path("state").asText(), held.toString());
            assertTrue(held.path("heldBack").asText().contains("System.exit"), held.toString());
            assertEquals("ACTIVE", HotDeployTest.bundle(cogwork.get("/api/bundles").json(), DJL).path("state").asText(),
                    "only the culprit is held back");
            assertSourceKept(cogwork);

            // the way out: remove it; the next start is a normal one
            assertEquals(200, cogwork.delete("/api/bundles/" + held.path("id").asLong()).status());
            cogwork.stop();
            cogwork.start();
            assertFalse(cogwork.get("/health").json().path("safeMode").asBoolean());
            assertFalse(cogwork.log().contains("SAFE MODE"), cogwork.log());
            assertSourceKept(cogwork);
        }
    }

    @Test
    void bundleThatExitsWhileCogworkStartsIsHeldBack() throws Exception {
        try (Cogwork cogwork = Cogwork.fresh(tmp).start()) {
            FileSourceTest.addSharedData(cogwork);
            // exits only once data/exit-now exists, i.e. from the framework's own start of its cached bundles
            byte[] jar = exitBundle(tmp, "itest.exit.atstart",
                    "new java.io.File(ctx.getProperty(\"cogwork.data.dir\"), \"exit-now\").exists()");
            assertEquals(201, cogwork.post("/api/bundles", jar, "application/java-archive").status());
            cogwork.stop();
            Files.createFile(cogwork.home.resolve("data/exit-now"));

            Process crashing = cogwork.launch("--port", Integer.toString(cogwork.port));
            assertTrue(crashing.waitFor(60, TimeUnit.SECONDS), cogwork.log());
            assertEquals(3, crashing.exitValue(), cogwork.log());
            assertTrue(cogwork.log().contains("bundle itest.exit.atstart 1.0.0 called System.exit"), cogwork.log());
            cogwork.startHealthy();
            assertTrue(cogwork.log().contains("SAFE MODE"), cogwork.log());
            JsonNode held = HotDeployTest.bundle(cogwork.get("/api/bundles").json(), "itest.exit.atstart");
            assertTrue(held.path("heldBack").asText().contains("System.exit"), held.toString());
            assertSourceKept(cogwork);
        }
    }

    @Test
    void deployedBundleThatExitsIsHeldBackAndNotRestartedByTheWatcher() throws Exception {
        try (Cogwork cogwork = Cogwork.fresh(tmp).start()) {
            FileSourceTest.addSharedData(cogwork);
            Files.write(cogwork.home.resolve("deploy/exit.jar"), exitBundle(tmp, "itest.exit.deploy", "true"));
            assertEquals(3, cogwork.awaitExit(Duration.ofSeconds(60)), cogwork.log());

            cogwork.startHealthy();
            Thread.sleep(2000); // the deploy watcher has polled a few times
            JsonNode held = HotDeployTest.bundle(cogwork.get("/api/bundles").json(), "itest.exit.deploy");
            assertEquals("deploy", held.path("origin").asText());
            assertNotEquals("ACTIVE", held.path("state").asText(), held.toString());
            assertTrue(held.path("heldBack").asText().contains("System.exit"), held.toString());
            assertTrue(cogwork.get("/health").json().path("safeMode").asBoolean());
            assertSourceKept(cogwork);

            assertEquals(200, cogwork.delete("/api/bundles/" + held.path("id").asLong()).status());
            assertFalse(Files.exists(cogwork.home.resolve("deploy/exit.jar")));
            cogwork.stop();
            cogwork.start();
            assertFalse(cogwork.get("/health").json().path("safeMode").asBoolean());
        }
    }

    @Test
    void safeOptionHoldsBackEveryPluginUntilStartedOverTheApi() throws Exception {
        try (Cogwork cogwork = Cogwork.fresh(tmp).start()) {
            FileSourceTest.addSharedData(cogwork);
            cogwork.stop();

            cogwork.startHealthy("--safe");
            JsonNode djl = HotDeployTest.bundle(cogwork.get("/api/bundles").json(), DJL);
            assertEquals("Cogwork was started with --safe", djl.path("heldBack").asText(), djl.toString());
            assertNotEquals("ACTIVE", djl.path("state").asText());
            assertNull(HotDeployTest.engine(cogwork.get("/api/engines").json(), "djl"));
            JsonNode health = cogwork.get("/health").json();
            assertEquals("UP", health.path("status").asText(), health.toString());
            assertTrue(health.path("safeMode").asBoolean(), health.toString());
            assertSourceKept(cogwork);

            Cogwork.Response started = cogwork.post("/api/bundles/" + djl.path("id").asLong() + "/start", new byte[0],
                    "application/json");
            assertEquals(200, started.status(), started.body());
            assertEquals("ACTIVE", started.json().path("state").asText(), started.body());
            assertTrue(started.json().path("heldBack").isMissingNode(), started.body());
            // safe mode lasts while any plugin is held back: the other adapters shipped in deploy/ (XGBoost, ONNX) too
            for (String other : List.of(XGBOOST, ONNX)) {
                JsonNode adapter = HotDeployTest.bundle(cogwork.get("/api/bundles").json(), other);
                assertEquals("Cogwork was started with --safe", adapter.path("heldBack").asText(), adapter.toString());
                assertTrue(cogwork.get("/health").json().path("safeMode").asBoolean());
                assertEquals(200, cogwork.post("/api/bundles/" + adapter.path("id").asLong() + "/start", new byte[0],
                        "application/json").status());
            }
            assertFalse(cogwork.get("/health").json().path("safeMode").asBoolean());
            cogwork.await("/api/engines", e -> HotDeployTest.engine(e, "djl") != null, Duration.ofSeconds(15));

            // without --safe, the next start is a normal one
            cogwork.stop();
            cogwork.start();
            assertFalse(cogwork.get("/health").json().path("safeMode").asBoolean());
            assertTrue(HotDeployTest.bundle(cogwork.get("/api/bundles").json(), DJL).path("heldBack").isMissingNode());
        }
    }

    @Test
    void startKilledBeforeItFinishedHoldsBackEveryPlugin() throws Exception {
        try (Cogwork cogwork = Cogwork.fresh(tmp).start()) {
            FileSourceTest.addSharedData(cogwork);
            cogwork.stop();

            // SIGKILL as soon as the bundles start (as a hang followed by kill -9 would): no hook runs
            Process p = cogwork.launch("--port", Integer.toString(cogwork.port));
            Path marker = cogwork.home.resolve("data/starting");
            for (int i = 0; i < 600 && !Files.exists(marker) && p.isAlive(); i++) {
                Thread.sleep(10);
            }
            assertTrue(Files.exists(marker), cogwork.log());
            p.destroyForcibly();
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));

            cogwork.startHealthy();
            JsonNode djl = HotDeployTest.bundle(cogwork.get("/api/bundles").json(), DJL);
            assertTrue(djl.path("heldBack").asText().contains("did not finish starting"), djl.toString());
            assertTrue(cogwork.get("/health").json().path("safeMode").asBoolean());
            assertSourceKept(cogwork);
        }
    }

    @Test
    void cleanKeepsSourcesAndConfiguration() throws Exception {
        try (Cogwork cogwork = Cogwork.fresh(tmp).start()) {
            FileSourceTest.addSharedData(cogwork);
            cogwork.stop();
            cogwork.startHealthy("--clean");
            assertSourceKept(cogwork);
            assertEquals("rwx------", PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(cogwork.home.resolve("data/config"))), "the store holds passwords");
        }
    }

    private static void assertSourceKept(Cogwork cogwork) throws Exception {
        JsonNode sources = cogwork.await("/api/sources", s -> s.size() == 1, Duration.ofSeconds(15));
        assertEquals("data", sources.get(0).path("id").asText(), sources.toString());
    }

    /** A bundle whose activator calls {@code System.exit(3)} when {@code condition} (Java, {@code ctx} in scope) holds. */
    static byte[] exitBundle(Path tmp, String symbolicName, String condition) throws IOException {
        Path src = tmp.resolve("exit-src/crash/Activator.java");
        Path classes = tmp.resolve("exit-classes");
        Files.createDirectories(src.getParent());
        Files.createDirectories(classes);
        Files.writeString(src, """
                package crash;

                public class Activator implements org.osgi.framework.BundleActivator {
                    @Override
                    public void start(org.osgi.framework.BundleContext ctx) {
                        if (%s) {
                            System.exit(3);
                        }
                    }

                    @Override
                    public void stop(org.osgi.framework.BundleContext ctx) {
                    }
                }
                """.formatted(condition));
        Path dist = Path.of(System.getProperty("cogwork.dist", "../launcher/target/cogwork")).toAbsolutePath();
        Path felix;
        try (Stream<Path> s = Files.list(dist.resolve("lib"))) {
            felix = s.filter(p -> p.getFileName().toString().startsWith("org.apache.felix.framework")).findFirst().orElseThrow();
        }
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertNotNull(javac, "the tests need a JDK");
        int rc = javac.run(null, null, null, List.of("--release", "17", "-cp", felix.toString(), "-d", classes.toString(),
                src.toString()).toArray(String[]::new));
        assertEquals(0, rc, "javac");

        Manifest mf = new Manifest();
        Attributes a = mf.getMainAttributes();
        a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        a.putValue("Bundle-ManifestVersion", "2");
        a.putValue("Bundle-SymbolicName", symbolicName);
        a.putValue("Bundle-Version", "1.0.0");
        a.putValue("Bundle-Activator", "crash.Activator");
        a.putValue("Import-Package", "org.osgi.framework");
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (OutputStream os = bytes; JarOutputStream out = new JarOutputStream(os, mf)) {
            out.putNextEntry(new JarEntry("crash/Activator.class"));
            out.write(Files.readAllBytes(classes.resolve("crash/Activator.class")));
            out.closeEntry();
        }
        return bytes.toByteArray();
    }
}
