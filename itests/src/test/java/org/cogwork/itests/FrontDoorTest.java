package org.cogwork.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The front door, driven from outside: every route of the OpenAPI document against the role matrix (anonymous,
 * each role), API tokens (use, revocation, expiry), browser sessions and CSRF, lockout after failed sign-ins, the
 * principal as the only identity in the audit log, and hostile bodies on every route that takes one.
 */
class FrontDoorTest {
    static final Map<String, String> ROLE_USERS = new LinkedHashMap<>();

    @TempDir
    static Path tmp;
    static Cogwork cogwork;

    @BeforeAll
    static void boot() throws Exception {
        cogwork = Cogwork.fresh(tmp).start();
        for (String role : List.of("data-scientist", "annotator", "integrator", "metrics")) {
            String user = role.replace("-", "") + "1";
            Cogwork.Response r = cogwork.as(Cogwork.ADMIN).post("/api/users",
                    "{\"name\": \"" + user + "\", \"role\": \"" + role + "\", \"password\": \"pw-" + user + "-secret\"}");
            assertEquals(201, r.status(), r.body());
            ROLE_USERS.put(role, Cogwork.basic(user, "pw-" + user + "-secret"));
        }
    }

    @AfterAll
    static void shutdown() throws Exception {
        if (cogwork != null) {
            cogwork.stop();
        }
    }

    /** One operation of the OpenAPI document, with its path parameters filled in. */
    record Op(String method, String template, String path, List<String> roles, boolean anonymous, boolean jsonBody) {
        @Override
        public String toString() {
            return method + " " + template;
        }
    }

    static List<Op> operations() throws Exception {
        Cogwork.Response r = cogwork.get("/api/openapi.json");
        assertEquals(200, r.status(), r.body());
        List<Op> ops = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> paths = r.json().path("paths").fields(); paths.hasNext(); ) {
            Map.Entry<String, JsonNode> p = paths.next();
            String concrete = p.getKey().replaceAll("\\{[^}]+}", "no-such-thing");
            for (Iterator<Map.Entry<String, JsonNode>> methods = p.getValue().fields(); methods.hasNext(); ) {
                Map.Entry<String, JsonNode> m = methods.next();
                JsonNode op = m.getValue();
                List<String> roles = new ArrayList<>();
                op.path("x-cogwork-roles").forEach(x -> roles.add(x.asText()));
                boolean anonymous = op.has("security") && op.path("security").isEmpty();
                boolean json = op.path("requestBody").path("content").has("application/json");
                ops.add(new Op(m.getKey().toUpperCase(), p.getKey(), concrete, roles, anonymous, json));
            }
        }
        assertTrue(ops.size() > 40, "the document lists every area's routes, found only " + ops);
        return ops;
    }

    static Cogwork.Response call(String auth, Op op, String body) throws Exception {
        boolean withBody = !op.method().equals("GET") && !op.method().equals("DELETE");
        return cogwork.as(auth).send(op.method(), op.path(), withBody ? body : null);
    }

    @Test
    void everyRouteAnswersByTheRoleMatrix() throws Exception {
        List<String> wrong = new ArrayList<>();
        for (Op op : operations()) {
            if (!op.anonymous() && (op.roles().isEmpty() || !op.roles().contains("admin"))) {
                wrong.add(op + ": declares no roles " + op.roles());
                continue;
            }
            Cogwork.Response anon = call(null, op, "{}");
            if (!op.anonymous() && anon.status() != 401) {
                wrong.add(op + " anonymous: " + anon.status() + " " + anon.body());
            }
            for (Map.Entry<String, String> role : ROLE_USERS.entrySet()) {
                Cogwork.Response r = call(role.getValue(), op, "{}");
                boolean allowed = op.anonymous() || op.roles().contains(role.getKey());
                if (allowed ? (r.status() == 401 || r.status() == 403) : r.status() != 403) {
                    wrong.add(op + " as " + role.getKey() + " (" + (allowed ? "allowed" : "not allowed") + "): " + r.status() + " " + r.body());
                }
                if (r.status() >= 500) {
                    wrong.add(op + " as " + role.getKey() + ": " + r.status() + " " + r.body());
                }
            }
            Cogwork.Response admin = call(Cogwork.ADMIN, op, "{}");
            if (admin.status() == 401 || admin.status() == 403 || admin.status() >= 500) {
                wrong.add(op + " as admin: " + admin.status() + " " + admin.body());
            }
        }
        for (String path : List.of("/", "/anything", "/api", "/api/no-such-area")) {
            Cogwork.Response r = cogwork.as(null).get(path);
            if (r.status() != 401) {
                wrong.add("GET " + path + " anonymous: " + r.status());
            }
        }
        assertTrue(wrong.isEmpty(), String.join("\n", wrong));
    }

    @Test
    void anonymousCallersGetHealthStatusOnlyAndAChallenge() throws Exception {
        Cogwork.Response health = cogwork.as(null).get("/health");
        assertEquals(200, health.status());
        assertEquals(List.of("status"), fieldNames(health.json()), health.body());
        assertTrue(cogwork.get("/health").json().has("checks"), "signed-in admins see the details");
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + cogwork.port + "/api/models")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(401, r.statusCode());
        assertTrue(r.headers().firstValue("WWW-Authenticate").orElse("").contains("Basic"), r.headers().toString());
        assertEquals(401, cogwork.as(Cogwork.basic("admin", "wrong-password")).get("/api/models").status());
        assertEquals(401, cogwork.as("Bearer cwt_nonsense").get("/api/models").status());
        assertEquals(401, cogwork.as("Digest whatever").get("/api/models").status());
    }

    private static List<String> fieldNames(JsonNode n) {
        List<String> out = new ArrayList<>();
        n.fieldNames().forEachRemaining(out::add);
        return out;
    }

    @Test
    void tokensWorkUntilRevokedOrExpired() throws Exception {
        Cogwork.Response made = cogwork.as(Cogwork.ADMIN).post("/api/tokens", "{\"name\": \"shop-backend\", \"role\": \"integrator\"}");
        assertEquals(201, made.status(), made.body());
        String token = made.json().path("token").asText();
        String id = made.json().path("info").path("id").asText();
        assertTrue(token.startsWith("cwt_"), made.body());
        Cogwork.Client shop = cogwork.as(Cogwork.bearer(token));
        JsonNode me = shop.get("/api/session").json();
        assertEquals("shop-backend", me.path("user").asText());
        assertEquals("integrator", me.path("role").asText());
        assertEquals(403, shop.get("/api/sources").status(), "an integrator token may not read sources");
        Cogwork.Response list = cogwork.get("/api/tokens");
        assertFalse(list.body().contains(token.substring(21)), "the secret is shown once only: " + list.body());

        assertEquals(200, cogwork.delete("/api/tokens/" + id).status());
        assertEquals(401, shop.get("/api/session").status(), "a revoked token is refused at once");

        Cogwork.Response shortLived = cogwork.as(Cogwork.ADMIN).post("/api/tokens",
                "{\"name\": \"short\", \"role\": \"data-scientist\", \"expiresAt\": \"" + Instant.now().plusSeconds(2) + "\"}");
        assertEquals(201, shortLived.status(), shortLived.body());
        Cogwork.Client ds = cogwork.as(Cogwork.bearer(shortLived.json().path("token").asText()));
        assertEquals(200, ds.get("/api/sources").status());
        Thread.sleep(2500);
        assertEquals(401, ds.get("/api/sources").status(), "an expired token is refused");
        Cogwork.Response past = cogwork.as(Cogwork.ADMIN).post("/api/tokens",
                "{\"name\": \"past\", \"role\": \"integrator\", \"expiresAt\": \"2020-01-01T00:00:00Z\"}");
        assertEquals(400, past.status(), past.body());
        assertEquals("expiresAt", past.json().path("field").asText(), past.body());
    }

    @Test
    void sessionsNeedTheCsrfTokenToChangeAnything() throws Exception {
        HttpClient browser = HttpClient.newBuilder().cookieHandler(new java.net.CookieManager()).build();
        String base = "http://127.0.0.1:" + cogwork.port;
        HttpResponse<String> signIn = browser.send(HttpRequest.newBuilder(URI.create(base + "/api/session"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"user\": \"admin\", \"password\": \"" + Cogwork.ADMIN_PASSWORD + "\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, signIn.statusCode(), signIn.body());
        String cookie = signIn.headers().firstValue("Set-Cookie").orElseThrow();
        assertTrue(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), cookie);
        String csrf = Cogwork.JSON.readTree(signIn.body()).path("csrfToken").asText();
        assertFalse(csrf.isEmpty(), signIn.body());

        HttpResponse<String> read = browser.send(HttpRequest.newBuilder(URI.create(base + "/api/users")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, read.statusCode(), "reading needs no CSRF token: " + read.body());
        String user = "{\"name\": \"csrf-victim\", \"role\": \"annotator\", \"password\": \"annotator-secret\"}";
        HttpResponse<String> forged = browser.send(HttpRequest.newBuilder(URI.create(base + "/api/users")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(user)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(403, forged.statusCode(), forged.body());
        assertEquals(404, cogwork.get("/api/users/csrf-victim").status(), "the refused request created nothing");
        HttpResponse<String> wrongToken = browser.send(HttpRequest.newBuilder(URI.create(base + "/api/users")).header("Content-Type", "application/json")
                .header("X-CSRF-Token", csrf + "x").POST(HttpRequest.BodyPublishers.ofString(user)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(403, wrongToken.statusCode(), wrongToken.body());
        HttpResponse<String> ok = browser.send(HttpRequest.newBuilder(URI.create(base + "/api/users")).header("Content-Type", "application/json")
                .header("X-CSRF-Token", csrf).POST(HttpRequest.BodyPublishers.ofString(user)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(201, ok.statusCode(), ok.body());

        HttpResponse<String> out = browser.send(HttpRequest.newBuilder(URI.create(base + "/api/session")).header("X-CSRF-Token", csrf)
                .DELETE().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(204, out.statusCode(), out.body());
        HttpResponse<String> after = browser.send(HttpRequest.newBuilder(URI.create(base + "/api/users")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(401, after.statusCode(), "signed out: " + after.body());
    }

    @Test
    void repeatedFailuresLockTheNameOutAndAreRecorded() throws Exception {
        assertEquals(201, cogwork.as(Cogwork.ADMIN).post("/api/users",
                "{\"name\": \"victim\", \"role\": \"annotator\", \"password\": \"victim-secret-pw\"}").status());
        for (int i = 0; i < 5; i++) {
            assertEquals(401, cogwork.as(Cogwork.basic("victim", "guess-" + i)).get("/api/session").status());
        }
        Cogwork.Response locked = cogwork.as(Cogwork.basic("victim", "victim-secret-pw")).get("/api/session");
        assertEquals(429, locked.status(), "locked even with the right password: " + locked.body());
        JsonNode audit = cogwork.get("/api/audit?user=victim&action=sign-in&max=50").json().path("entries");
        long failed = 0;
        for (JsonNode e : audit) {
            failed += e.path("action").asText().equals("sign-in failed") ? 1 : 0;
        }
        assertEquals(5, failed, audit.toString());
        assertTrue(audit.toString().contains("sign-in refused (locked)"), audit.toString());
    }

    @Test
    void onlyThePrincipalReachesTheAuditLog() throws Exception {
        String dana = ROLE_USERS.get("data-scientist");
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + cogwork.port + "/api/models"))
                .header("Authorization", dana).header("X-Cogwork-Actor", "mallory").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\": \"forged-actor\"}")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(201, r.statusCode(), r.body());
        Cogwork.Response feedback = cogwork.as(dana).post("/api/predictions/no-such-prediction/feedback",
                "{\"score\": 1, \"author\": \"mallory\"}");
        assertEquals(400, feedback.status(), feedback.body());
        assertEquals("author", feedback.json().path("field").asText(), feedback.body());
        Cogwork.Response models = cogwork.get("/api/models/forged-actor/audit");
        assertEquals(200, models.status(), models.body());
        assertFalse(models.body().contains("mallory"), models.body());
        assertTrue(models.body().contains("datascientist1"), models.body());
        String all = cogwork.get("/api/audit?max=1000").body();
        assertFalse(all.contains("mallory"), all);
        JsonNode mine = cogwork.get("/api/audit?user=datascientist1&action=POST%20/api/models&max=1").json().path("entries");
        assertEquals("POST /api/models", mine.get(0).path("action").asText(), "the newest is the forged call: " + mine);
        assertEquals("data-scientist", mine.get(0).path("role").asText());
        assertEquals("201", mine.get(0).path("outcome").asText());
        assertNotNull(mine.get(0).path("remoteAddress").asText(null));
        Cogwork.Response tampering = cogwork.as(Cogwork.ADMIN).send("DELETE", "/api/audit", null);
        assertEquals(405, tampering.status(), "nothing deletes audit entries: " + tampering.body());
    }

    @Test
    void hostileBodiesAreRefusedOnEveryRoute() throws Exception {
        String deep = "[".repeat(10_000) + "]".repeat(10_000);
        String huge = "{\"name\": \"" + "x".repeat(10 * 1024 * 1024) + "\"}";
        Map<String, String> bodies = new LinkedHashMap<>();
        bodies.put("malformed", "{\"name\": ");
        bodies.put("array", "[1, 2]");
        bodies.put("unknown field", "{\"zzz-unknown\": 1}");
        bodies.put("wrong types", "{\"name\": 7, \"id\": [], \"role\": {}, \"version\": \"x\", \"rows\": 3, \"config\": 1}");
        bodies.put("deep", deep);
        bodies.put("10 MB string", huge);
        List<String> wrong = new ArrayList<>();
        int checked = 0;
        for (Op op : operations()) {
            if (!op.jsonBody()) {
                continue;
            }
            checked++;
            for (Map.Entry<String, String> b : bodies.entrySet()) {
                if (b.getKey().equals("unknown field") && op.path().startsWith("/api/2.0/mlflow/")) {
                    continue; // MLflow's server ignores unknown fields (newer clients send more); so does its subset here
                }
                String text = b.getValue();
                if (b.getKey().equals("wrong types") && op.path().startsWith("/api/2.0/mlflow/")) {
                    // MLflow's own field names, each of the wrong JSON type
                    text = "{\"name\": 7, \"experiment_id\": [], \"run_id\": {}, \"max_results\": \"x\", \"filter\": 3, "
                            + "\"experiment_ids\": \"x\", \"start_time\": \"x\", \"key\": 1, \"version\": []}";
                }
                // over a raw socket, the body written on its own thread: the server may answer (and close) before
                // it has read 10 MB, which the JDK client reports as an I/O error instead of the answer
                FuzzTest.Answer a = FuzzTest.send(cogwork.port, op.method(), op.path(), "application/json",
                        text.getBytes(java.nio.charset.StandardCharsets.UTF_8), false);
                Cogwork.Response r = new Cogwork.Response(a.status(), a.body());
                String body = r.body();
                boolean jsonError = body.startsWith("{") && Cogwork.JSON.readTree(body).path("error").isTextual()
                        || body.contains("error_code");
                if (r.status() < 400 || r.status() >= 500 || !jsonError || body.contains("Exception") || body.contains("\tat ")) {
                    wrong.add(op + " with " + b.getKey() + ": " + r.status() + " " + body.substring(0, Math.min(300, body.length())));
                }
            }
        }
        assertTrue(checked > 10, "routes with JSON bodies: " + checked);
        assertTrue(wrong.isEmpty(), String.join("\n", wrong));
        assertEquals(200, cogwork.as(null).get("/health").status(), "still up");
    }

    @Test
    void fileSourcesStayInsideTheDataRoots() throws Exception {
        Cogwork.Response etc = FileSourceTest.create(cogwork, "etc", "file", "{\"path\": \"/etc\"}");
        assertEquals(400, etc.status(), etc.body());
        assertEquals("config.path", etc.json().path("field").asText(), etc.body());
        java.nio.file.Path inside = java.nio.file.Files.createDirectories(tmp.resolve("datasets"));
        java.nio.file.Path link = java.nio.file.Files.createSymbolicLink(tmp.resolve("escape"), java.nio.file.Path.of("/etc"));
        Cogwork.Response escape = FileSourceTest.create(cogwork, "escape", "file", "{\"path\": \"" + link + "\"}");
        assertEquals(400, escape.status(), "a link out of the roots is followed and refused: " + escape.body());
        Cogwork.Response dots = FileSourceTest.create(cogwork, "dots", "file", "{\"path\": \"" + inside + "/../../../../etc\"}");
        assertEquals(400, dots.status(), dots.body());
        Cogwork.Response ok = FileSourceTest.create(cogwork, "inside", "file", "{\"path\": \"" + inside + "\"}");
        assertEquals(201, ok.status(), ok.body());
    }
}
