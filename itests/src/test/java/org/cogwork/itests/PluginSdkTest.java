package org.cogwork.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The plugin SDK as a plugin author uses it: the archetype generates a project outside the repository, Maven builds it
 * (its contract suites and its OSGi resolution checks pass), and its jars dropped into deploy/ read, transform, train
 * and serve through REST.
 *
 * <p>The SDK is what {@code ./mvnw install -pl sdk/archetype -am} installs. This test runs in {@code verify}, before any
 * install, so it installs the reactor's SDK artifacts itself (each module's pom as it is and its packaged jar, as the
 * install plugin would) into a private local repository under target/; the nested Maven runs offline with that
 * repository in front of the build's own ({@code maven.repo.local.tail}), which holds the third-party plugins and
 * libraries the reactor has already used. Nothing in ~/.m2 of another build can stand in for this one's SDK.
 */
class PluginSdkTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final String VERSION = System.getProperty("cogwork.version", "0.1.0-SNAPSHOT");
    /** The SDK: module folder and artifactId (a pom module has no jar). */
    private static final List<String[]> SDK = List.of(
            new String[] {".", "cogwork-parent"},
            new String[] {"sdk/plugin-parent", "cogwork-plugin-parent"},
            new String[] {"sdk/archetype", "cogwork-plugin-archetype"},
            new String[] {"sdk/resolution-check", "org.cogwork.resolution-check"},
            new String[] {"bundles/api", "org.cogwork.api"},
            new String[] {"connectors/support", "org.cogwork.connector.support"},
            new String[] {"connectors/file", "org.cogwork.connector.file"},
            new String[] {"engines/contract-tests", "org.cogwork.engine.contract-tests"},
            new String[] {"connectors/contract-tests", "org.cogwork.connector.contract-tests"},
            new String[] {"feature-engineering/contract-tests", "org.cogwork.transform.contract-tests"});

    @TempDir
    Path tmp;

    /** Installs the reactor's SDK modules into {@code repo}, in the local repository layout. */
    private static void installSdk(Path repo) throws IOException {
        for (String[] m : SDK) {
            Path dir = repo.resolve("org/cogwork/" + m[1] + "/" + VERSION);
            Files.createDirectories(dir);
            Files.copy(ROOT.resolve(m[0]).resolve("pom.xml"), dir.resolve(m[1] + "-" + VERSION + ".pom"), StandardCopyOption.REPLACE_EXISTING);
            Path jar = ROOT.resolve(m[0]).resolve("target/" + m[1] + "-" + VERSION + ".jar");
            if (Files.exists(jar)) {
                Files.copy(jar, dir.resolve(m[1] + "-" + VERSION + ".jar"), StandardCopyOption.REPLACE_EXISTING);
            } else if (!m[0].equals(".") && !m[0].equals("sdk/plugin-parent")) {
                throw new IllegalStateException("the reactor has not packaged " + jar);
            }
        }
    }

    /** Runs the repository's Maven wrapper offline in {@code dir}; fails with the output's tail if Maven does. */
    private static void maven(Path dir, Path repo, Path log, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(ROOT.resolve("mvnw").toString(), "-B", "-o", "-q",
                "-Dmaven.repo.local=" + repo, "-Dmaven.repo.local.tail=" + System.getProperty("cogwork.m2",
                        System.getProperty("user.home") + "/.m2/repository")));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(15, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("Maven did not finish: " + cmd);
        }
        String out = Files.readString(log);
        assertEquals(0, p.exitValue(), String.join(" ", cmd) + "\n" + out.substring(Math.max(0, out.length() - 6000)));
    }

    @Test
    void aGeneratedPluginBuildsPassesItsSuitesResolvesAndTrainsAndServesInCogwork() throws Exception {
        Path repo = tmp.resolve("repo");
        installSdk(repo);
        Path work = Files.createDirectories(tmp.resolve("work"));
        maven(work, repo, tmp.resolve("generate.log"), "org.apache.maven.plugins:maven-archetype-plugin:3.3.1:generate",
                "-DarchetypeGroupId=org.cogwork", "-DarchetypeArtifactId=cogwork-plugin-archetype", "-DarchetypeVersion=" + VERSION,
                "-DgroupId=org.example", "-DartifactId=sdk-plugins", "-Dversion=1.0.0", "-Dpackage=org.example.sdk",
                "-DpluginName=sdktest", "-DinteractiveMode=false");
        Path project = work.resolve("sdk-plugins");
        Path data = Path.of(System.getProperty("cogwork.data", "../../shared/data")).toAbsolutePath().normalize();
        maven(project, repo, tmp.resolve("build.log"), "verify", "-Dcogwork.data=" + data);
        String build = Files.readString(tmp.resolve("build.log"));
        for (String m : List.of("engine", "connector", "transform")) {
            assertTrue(Files.isDirectory(project.resolve(m + "/target/surefire-reports")), m + ": its tests ran");
            try (var reports = Files.list(project.resolve(m + "/target/surefire-reports"))) {
                List<String> names = reports.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".txt")).sorted().toList();
                assertEquals(2, names.size(), m + ": the contract test and the resolution test ran: " + names + "\n" + build);
                assertTrue(names.stream().anyMatch(n -> n.contains("ResolutionTest")), names.toString());
            }
        }

        try (Cogwork cogwork = Cogwork.fresh(tmp.resolve("home")).start()) {
            for (String m : List.of("engine", "connector", "transform")) {
                Files.copy(project.resolve(m + "/target/sdk-plugins-" + m + "-1.0.0.jar"), cogwork.home.resolve("deploy/sdk-" + m + ".jar"));
            }
            cogwork.await("/api/engines", e -> HotDeployTest.engine(e, "sdktest") != null, Duration.ofSeconds(30));
            JsonNode bundles = cogwork.await("/api/bundles", b -> {
                long active = 0;
                for (JsonNode x : b) {
                    if (x.path("symbolicName").asText().startsWith("org.example.sdk-plugins-") && "ACTIVE".equals(x.path("state").asText())) {
                        active++;
                    }
                }
                return active == 3;
            }, Duration.ofSeconds(30));
            assertTrue(bundles.toString().contains("org.example.sdk-plugins-connector"), bundles.toString());

            // the generated connector as a source, its transform in the pipeline, its engine training: all through REST
            Cogwork.Response source = FileSourceTest.create(cogwork, "sdk", "sdktest", "{\"path\": \"" + data + "\"}");
            assertEquals(201, source.status(), source.body());
            Cogwork.Response r = TrainingApiTest.submitTo(cogwork, """
                    {"source": "sdk", "dataset": "credit_data.csv", "target": "Status",
                     "pipeline": [{"transform": "sdktest-winsorize", "params": {"columns": ["Income"], "upper": 0.95}}],
                     "engine": "sdktest", "algorithm": "majority", "seed": 5,
                     "register": {"model": "sdk-credit", "alias": "production"}}""");
            assertEquals(202, r.status(), r.body());
            JsonNode job = TrainingApiTest.awaitDone(cogwork, r.json().path("id").asText());
            assertEquals("SUCCEEDED", job.path("status").asText(), job.toString());
            assertEquals("org.example.sdk-plugins-engine",
                    job.path("result").path("provenance").path("engine").path("bundle").path("symbolicName").asText());

            Cogwork.Response predicted = cogwork.post("/api/models/sdk-credit/predict", """
                    {"rows": [{"Seniority": 9, "Home": "rent", "Time": 60, "Age": 30, "Marital": "married", "Records": "no",
                               "Job": "freelance", "Expenses": 73, "Income": 129, "Assets": 0, "Debt": 0, "Amount": 800, "Price": 846}]}"""
                    .getBytes(StandardCharsets.UTF_8), "application/json");
            assertEquals(200, predicted.status(), predicted.body());
            assertEquals("good", predicted.json().path("predictions").get(0).path("value").asText(), "the majority class");
        }
    }
}
