package org.cogwork.itests;

import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * A Cogwork distribution copied into its own home and run as a user runs it ({@code bin/cogwork run}) in a
 * separate JVM, driven over real HTTP.
 */
final class Cogwork implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    /** The first admin's password, given to every runtime the tests start ({@code COGWORK_ADMIN_PASSWORD}). */
    static final String ADMIN_PASSWORD = "itest-admin-secret-1";
    /** The {@code Authorization} header of the first admin. */
    static final String ADMIN = basic("admin", ADMIN_PASSWORD);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    final Path home;
    final int port;
    /** Extra environment variables for the runtimes this home starts. */
    final java.util.Map<String, String> env = new java.util.HashMap<>();
    private Process process;
    private Path log;
    private int starts;

    private Cogwork(Path home, int port) {
        this.home = home;
        this.port = port;
    }

    /** A fresh home (a copy of the assembled distribution) with a free port; not started yet. */
    static Cogwork fresh(Path tempDir) throws IOException {
        Path dist = Path.of(System.getProperty("cogwork.dist", "../launcher/target/cogwork")).toAbsolutePath();
        if (!Files.isDirectory(dist.resolve("system"))) {
            fail("no assembled distribution at " + dist + ": run the build from the top-level folder");
        }
        Path home = tempDir.resolve("cogwork");
        copyTree(dist, home);
        // the tests' folders and the shared datasets are the data roots file sources may use
        Files.writeString(home.resolve("config/org.cogwork.runtime.cfg"), Files.readString(home.resolve("config/org.cogwork.runtime.cfg"))
                .replace("data.roots=data/files", "data.roots=data/files," + tempDir.toAbsolutePath() + "," + FileSourceTest.DATA));
        return new Cogwork(home, freePort());
    }

    static Path testBundle(String name) {
        return Path.of(System.getProperty("cogwork.testBundles", "target/test-bundles")).resolve(name + ".jar");
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static final long LINK_ABOVE_BYTES = 16L << 20;

    private static boolean link(Path existing, Path link) {
        try {
            Files.deleteIfExists(link);
            Files.createLink(link, existing);
            return true;
        } catch (IOException | UnsupportedOperationException e) {
            return false; // another file system: copy instead
        }
    }

    static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else if (Files.size(p) > LINK_ABOVE_BYTES && link(p, target)) {
                    continue; // the native hosts (DJL 110 MB, XGBoost 17 MB): a hard link, not a copy per test home
                } else {
                    Files.copy(p, target, StandardCopyOption.COPY_ATTRIBUTES, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    /** Starts {@code bin/cogwork run --port N} and waits until {@code /health} answers UP. */
    Cogwork start() throws Exception {
        startHealthy();
        awaitDeployedBundlesActive();
        return this;
    }

    /** Starts with extra options and waits for UP only, not for {@code deploy/} (safe mode holds some back). */
    Cogwork startHealthy(String... options) throws Exception {
        process = launch(Stream.concat(Stream.of("--port", Integer.toString(port)), Stream.of(options)).toArray(String[]::new));
        awaitHealthUp(Duration.ofSeconds(60));
        return this;
    }

    /** Waits for the runtime to end by itself (e.g. a bundle called System.exit); returns its exit code. */
    int awaitExit(Duration timeout) throws Exception {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            fail("Cogwork still runs after " + timeout + "\n" + log());
        }
        return process.exitValue();
    }

    /**
     * Waits until the jars shipped in {@code deploy/} (the DJL adapter) are installed and active: FileInstall
     * installs them just after start-up. A config file edited in that moment was once seen not to be applied
     * (1 CI run in about 5, not reproduced since; see the issue notes), so tests start from a settled runtime.
     */
    private void awaitDeployedBundlesActive() throws Exception {
        long jars;
        try (Stream<Path> s = Files.list(home.resolve("deploy"))) {
            jars = s.filter(p -> p.getFileName().toString().endsWith(".jar")).count();
        }
        await("/api/bundles", bundles -> {
            long active = 0;
            for (JsonNode b : bundles) {
                if ("deploy".equals(b.path("origin").asText()) && "ACTIVE".equals(b.path("state").asText())) {
                    active++;
                }
            }
            return active >= jars;
        }, Duration.ofSeconds(30));
    }

    /** Launches {@code bin/cogwork run} with extra arguments, output to a log file in the home. */
    Process launch(String... args) throws IOException {
        log = home.resolve("cogwork-" + (++starts) + ".log");
        String[] cmd = Stream.concat(Stream.of("sh", home.resolve("bin/cogwork").toString(), "run"), Stream.of(args))
                .toArray(String[]::new);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("COGWORK_ADMIN_PASSWORD", ADMIN_PASSWORD);
        pb.environment().putAll(env);
        return pb.start();
    }

    String log() {
        try {
            return log == null ? "" : Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void awaitHealthUp(Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        Response last = null;
        while (System.nanoTime() < deadline) {
            if (process != null && !process.isAlive()) {
                fail("Cogwork exited with " + process.exitValue() + ":\n" + log());
            }
            try {
                last = get("/health");
                if (last.status() == 200 && "UP".equals(last.json().path("status").asText())) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(50);
        }
        fail("/health not UP within " + timeout + ": " + (last == null ? "no answer" : last.body()) + "\n" + log());
    }

    /** Polls {@code path} until the JSON answer satisfies {@code condition}; fails with the last answer. */
    JsonNode await(String path, Predicate<JsonNode> condition, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        Response last = null;
        while (System.nanoTime() < deadline) {
            last = get(path);
            if (last.status() == 200 && condition.test(last.json())) {
                return last.json();
            }
            Thread.sleep(25);
        }
        fail("GET " + path + " did not reach the expected state within " + timeout + "; last answer: "
                + (last == null ? "none" : last.status() + " " + last.body()) + "\n" + log());
        return null;
    }

    /** Stops with SIGTERM, as Ctrl-C or a service manager would, and returns the exit code. */
    int stop() throws Exception {
        if (process == null || !process.isAlive()) {
            return process == null ? -1 : process.exitValue();
        }
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail("Cogwork did not stop within 60 s after SIGTERM\n" + log());
        }
        return process.exitValue();
    }

    /**
     * Kills the runtime with SIGKILL, as a power cut or the OOM killer would: no shutdown hook runs.
     * ({@code bin/cogwork} execs java, so the launched process is the JVM itself.)
     */
    void kill() throws Exception {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                fail("Cogwork did not die after SIGKILL");
            }
        }
    }

    @Override
    public void close() throws Exception {
        stop();
    }

    record Response(int status, String body) {
        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON (" + status + "): " + body, e);
            }
        }
    }

    /** Requests as the first admin. */
    Response get(String path) throws IOException, InterruptedException {
        return as(ADMIN).get(path);
    }

    Response post(String path, byte[] body, String contentType) throws IOException, InterruptedException {
        return as(ADMIN).post(path, body, contentType);
    }

    Response put(String path, byte[] body, String contentType) throws IOException, InterruptedException {
        return as(ADMIN).put(path, body, contentType);
    }

    Response delete(String path) throws IOException, InterruptedException {
        return as(ADMIN).delete(path);
    }

    /** Requests with this {@code Authorization} header ({@code null}: none, as an anonymous caller). */
    Client as(String authorization) {
        return new Client(port, authorization);
    }

    static String basic(String user, String password) {
        return "Basic " + java.util.Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    static String bearer(String token) {
        return "Bearer " + token;
    }

    /** One caller's view of the server. */
    record Client(int port, String authorization) {
        Response get(String path) throws IOException, InterruptedException {
            return send(request(path).GET());
        }

        Response post(String path, byte[] body, String contentType) throws IOException, InterruptedException {
            return send(request(path).header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofByteArray(body)));
        }

        Response post(String path, String json) throws IOException, InterruptedException {
            return post(path, json.getBytes(StandardCharsets.UTF_8), "application/json");
        }

        Response put(String path, byte[] body, String contentType) throws IOException, InterruptedException {
            return send(request(path).header("Content-Type", contentType).PUT(HttpRequest.BodyPublishers.ofByteArray(body)));
        }

        Response patch(String path, String json) throws IOException, InterruptedException {
            return send(request(path).header("Content-Type", "application/json")
                    .method("PATCH", HttpRequest.BodyPublishers.ofString(json)));
        }

        Response delete(String path) throws IOException, InterruptedException {
            return send(request(path).DELETE());
        }

        /** Any method, with or without a JSON body. */
        Response send(String method, String path, String json) throws IOException, InterruptedException {
            HttpRequest.Builder b = request(path);
            if (json == null) {
                b.method(method, HttpRequest.BodyPublishers.noBody());
            } else {
                b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(json));
            }
            return send(b);
        }

        private HttpRequest.Builder request(String path) {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
            return authorization == null ? b : b.header("Authorization", authorization);
        }

        private static Response send(HttpRequest.Builder b) throws IOException, InterruptedException {
            HttpResponse<String> r = HTTP.send(b.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
            return new Response(r.statusCode(), r.body());
        }
    }
}
