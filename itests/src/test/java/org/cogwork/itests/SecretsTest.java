package org.cogwork.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Secrets given to sources (declared PASSWORD in the connectors' MetaType, or written into a JDBC URL) appear
 * in no GET answer and not in the log, and nothing under data/ is readable by group or others.
 */
class SecretsTest {
    static final List<String> SECRETS = List.of("Pw-Field-7c1d", "Url-Param-9e2a", "User-Info-3f4b", "H2-Url-5a6c",
            "Access-Key-2b8d", "S3-Secret-4e9f", "Store-Access-6a1b", "Store-Secret-8c2d");
    /** The secrets given in fields declared PASSWORD: these are sealed at rest too (the others sit inside URLs). */
    static final java.util.regex.Pattern SEALED = java.util.regex.Pattern.compile("(?m)^secret\\.key\\s*=\\s*\\{enc}");
    static final List<String> DECLARED = List.of(SECRETS.get(0), SECRETS.get(4), SECRETS.get(5), SECRETS.get(6), SECRETS.get(7));

    @TempDir
    static Path tmp;
    static Cogwork cogwork;

    @BeforeAll
    static void boot() throws Exception {
        cogwork = Cogwork.fresh(tmp);
        // left by an older version or another umask: the launcher closes it at start
        Path old = Files.createDirectories(cogwork.home.resolve("data/old"));
        Files.writeString(old.resolve("readable.cfg"), "password=x\n");
        Files.setPosixFilePermissions(old.resolve("readable.cfg"), PosixFilePermissions.fromString("rw-r--r--"));
        Files.setPosixFilePermissions(old, PosixFilePermissions.fromString("rwxr-xr-x"));
        cogwork.start();
        // an S3 artifact storage configured the way admins do it: a .cfg file with the keys in clear
        Files.writeString(cogwork.home.resolve("config/org.cogwork.artifacts.s3-secrets.cfg"), "name=sealed\nbucket=b\n"
                + "endpoint=http://127.0.0.1:1\npath.style=true\naccess.key=" + SECRETS.get(6) + "\nsecret.key=" + SECRETS.get(7) + "\n");
        created(FileSourceTest.create(cogwork, "pg", "jdbc", "{\"url\": \"" + JdbcSourceTest.PG + "?user=postgres&password="
                + SECRETS.get(1) + "\", \"user\": \"postgres\", \"password\": \"" + SECRETS.get(0) + "\"}"));
        created(FileSourceTest.create(cogwork, "maria", "jdbc",
                "{\"url\": \"jdbc:mariadb://itest:" + SECRETS.get(2) + "@127.0.0.1:1/db?connectTimeout=200\", \"connect.timeout.seconds\": 1}"));
        created(FileSourceTest.create(cogwork, "h2", "jdbc", "{\"url\": \"jdbc:h2:mem:s;USER=sa;Password=" + SECRETS.get(3) + "\"}"));
        Files.copy(Cogwork.testBundle("org.cogwork.connector.s3"), cogwork.home.resolve("deploy/s3-connector.jar"));
        String s3 = "{\"bucket\": \"b\", \"endpoint\": \"http://127.0.0.1:1\", \"path.style\": true, \"access.key\": \""
                + SECRETS.get(4) + "\", \"secret.key\": \"" + SECRETS.get(5) + "\", \"timeout.seconds\": 1}";
        Cogwork.Response r = FileSourceTest.create(cogwork, "lake", "s3", s3);
        for (long end = System.nanoTime() + Duration.ofSeconds(10).toNanos(); r.status() != 201 && System.nanoTime() < end; ) {
            Thread.sleep(50);
            r = FileSourceTest.create(cogwork, "lake", "s3", s3);
        }
        created(r);
        // failures that quote configurations: connection errors, a refused unknown setting
        cogwork.post("/api/sources/maria/test", new byte[0], "application/json");
        cogwork.get("/api/sources/maria/datasets");
        cogwork.get("/api/sources/lake/datasets");
        Cogwork.Response typo = FileSourceTest.create(cogwork, "typo", "jdbc", "{\"pwd\": \"" + SECRETS.get(0) + "\"}");
        assertEquals(400, typo.status(), typo.body());
        assertEquals("config.pwd", typo.json().path("field").asText(), typo.body());
        assertNoSecret("POST /api/sources (unknown setting)", typo.body());
    }

    private static void created(Cogwork.Response r) {
        assertEquals(201, r.status(), r.body());
        assertNoSecret("POST /api/sources", r.body());
    }

    @AfterAll
    static void shutdown() throws Exception {
        if (cogwork != null) {
            cogwork.stop();
            assertNoSecret("the runtime's log", cogwork.log());
        }
    }

    static void assertNoSecret(String where, String text) {
        for (String s : SECRETS) {
            assertFalse(text.contains(s), where + " shows " + s + ":\n" + text);
        }
    }

    @Test
    void noGetAnswerShowsASecret() throws Exception {
        List<String> paths = new ArrayList<>(List.of("/api/sources", "/api/services", "/api/bundles", "/api/events",
                "/health", "/api/engines"));
        for (String id : List.of("pg", "maria", "h2", "lake")) {
            paths.add("/api/sources/" + id);
        }
        // and every GET route of the OpenAPI document that needs no path parameter
        cogwork.get("/api/openapi.json").json().path("paths").fields().forEachRemaining(e -> {
            if (!e.getKey().contains("{") && e.getValue().has("get") && !paths.contains(e.getKey())) {
                paths.add(e.getKey());
            }
        });
        for (String p : paths) {
            Cogwork.Response r = cogwork.get(p);
            assertTrue(r.status() < 500, p + " " + r.status() + " " + r.body());
            assertNoSecret("GET " + p, r.body());
        }
        JsonNode pg = cogwork.get("/api/sources/pg").json().path("config");
        assertEquals("********", pg.path("password").asText(), pg.toString());
        assertTrue(pg.path("url").asText().startsWith(JdbcSourceTest.PG + "?user=postgres&password="), pg.toString());
        assertEquals("postgres", pg.path("user").asText(), "declared, not a password: shown");
        JsonNode lake = cogwork.get("/api/sources/lake").json().path("config");
        assertEquals("********", lake.path("secret.key").asText(), lake.toString());
        assertEquals("b", lake.path("bucket").asText(), lake.toString());
        // the same keys as in config files: what the API was given is what a .cfg file says
        JsonNode services = cogwork.get("/api/services?filter=(cogwork.source.id=lake)").json();
        assertEquals("********", services.get(0).path("properties").path("secret.key").asText(), services.toString());
    }

    @Test
    void declaredSecretsAreSealedAtRest() throws Exception {
        Path cfg = cogwork.home.resolve("config/org.cogwork.artifacts.s3-secrets.cfg");
        for (long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                !SEALED.matcher(Files.readString(cfg)).find() && System.nanoTime() < end; ) {
            Thread.sleep(100);
        }
        assertTrue(SEALED.matcher(Files.readString(cfg)).find(), "the .cfg file keeps its secret in clear:\n" + Files.readString(cfg));
        List<String> clear = new ArrayList<>();
        try (Stream<Path> all = Files.walk(cogwork.home)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                if (!Files.isRegularFile(p) || p.getFileName().toString().endsWith(".log") || p.toString().contains("felix-cache")) {
                    continue;
                }
                String text = new String(Files.readAllBytes(p), java.nio.charset.StandardCharsets.ISO_8859_1);
                for (String s : DECLARED) {
                    if (text.contains(s)) {
                        clear.add(cogwork.home.relativize(p) + " holds " + s);
                    }
                }
            }
        }
        assertTrue(clear.isEmpty(), String.join("\n", clear));
        // and the components still work with the opened values: the storage is registered under its name
        JsonNode storages = cogwork.await("/api/services?filter=(cogwork.artifacts.name=sealed)", n -> n.size() == 1, Duration.ofSeconds(20));
        assertNoSecret("GET /api/services (artifact storage)", storages.toString());
    }

    @Test
    void nothingUnderDataIsReadableByOthers() throws Exception {
        Set<PosixFilePermission> open = EnumSet.of(PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE,
                PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE,
                PosixFilePermission.GROUP_EXECUTE);
        List<String> exposed = new ArrayList<>();
        int files = 0;
        try (Stream<Path> all = Files.walk(cogwork.home.resolve("data"))) {
            for (Path p : (Iterable<Path>) all::iterator) {
                if (Files.isSymbolicLink(p)) {
                    continue;
                }
                files++;
                Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p);
                perms.retainAll(open);
                if (!perms.isEmpty()) {
                    exposed.add(cogwork.home.relativize(p) + " " + perms);
                }
            }
        }
        assertTrue(files > 10, "data/ holds the framework cache and configurations");
        assertEquals(List.of(), exposed.subList(0, Math.min(20, exposed.size())), exposed.size() + " files readable by others");
    }
}
