package org.cogwork.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a web page open in the user's browser can send to a Cogwork on localhost is refused: a foreign
 * Origin, a foreign Host (DNS rebinding), a cross-site fetch, a body that is not JSON (a form or text/plain
 * post needs no CORS preflight). Clients without a browser and same-origin pages still work.
 */
class CrossSiteTest {
    @TempDir
    static Path tmp;
    static Cogwork cogwork;
    static Path folder;

    @BeforeAll
    static void boot() throws Exception {
        cogwork = Cogwork.fresh(tmp).start();
        folder = Files.createDirectories(tmp.resolve("csv"));
        Files.writeString(folder.resolve("a.csv"), "x,y\n1,2\n");
    }

    @AfterAll
    static void shutdown() throws Exception {
        if (cogwork != null) {
            cogwork.stop();
        }
    }

    private static byte[] source(String id, String path) {
        return ("{\"id\": \"" + id + "\", \"kind\": \"file\", \"config\": {\"path\": \"" + path + "\"}}").getBytes(StandardCharsets.UTF_8);
    }

    private static void assertNoSource(String id) throws Exception {
        assertEquals(404, cogwork.get("/api/sources/" + id).status(), "the refused request created source " + id);
    }

    private static void assertRefused(int status, Cogwork.Response r) {
        assertEquals(status, r.status(), r.body());
        assertTrue(r.json().path("error").isTextual(), r.body());
    }

    @Test
    void aTextPlainPostFromAForeignOriginIsRefused() throws Exception {
        Cogwork.Response r = RawHttp.send(cogwork.port, "POST", "/api/sources", source("evil1", "/etc"),
                "Content-Type: text/plain", "Origin: http://evil.example", "Sec-Fetch-Site: cross-site");
        assertRefused(403, r);
        assertNoSource("evil1");
        // a JSON body with a foreign Origin too (a page could send it after a preflight we never answer)
        assertRefused(403, RawHttp.send(cogwork.port, "POST", "/api/sources", source("evil2", "/etc"),
                "Content-Type: application/json", "Origin: http://evil.example"));
        assertNoSource("evil2");
        assertRefused(403, RawHttp.send(cogwork.port, "POST", "/api/sources", source("evil3", "/etc"),
                "Content-Type: application/json", "Origin: null"));
        assertNoSource("evil3");
        // another port on localhost is another origin (any local dev server)
        assertRefused(403, RawHttp.send(cogwork.port, "POST", "/api/sources", source("evil4", "/etc"),
                "Content-Type: application/json", "Origin: http://localhost:" + (cogwork.port + 1)));
        assertNoSource("evil4");
    }

    @Test
    void aForeignHostIsRefused() throws Exception {
        // DNS rebinding: evil.example resolves to 127.0.0.1, the browser sends its own name as Host
        assertRefused(403, RawHttp.send(cogwork.port, "POST", "/api/sources", source("rebound", "/etc"),
                "Host: evil.example:" + cogwork.port, "Content-Type: application/json"));
        assertNoSource("rebound");
        assertRefused(403, RawHttp.send(cogwork.port, "GET", "/api/sources", new byte[0], "Host: evil.example"));
        assertRefused(403, RawHttp.send(cogwork.port, "GET", "/health", new byte[0], "Host: 127.0.0.1:1"));
        assertEquals(200, RawHttp.send(cogwork.port, "GET", "/health", new byte[0], "Host: localhost:" + cogwork.port).status());
    }

    @Test
    void aBodyThatIsNotJsonIsRefusedWithoutAnOrigin() throws Exception {
        assertRefused(415, RawHttp.send(cogwork.port, "POST", "/api/sources", source("plain", "/etc"), "Content-Type: text/plain"));
        assertNoSource("plain");
        assertRefused(415, RawHttp.send(cogwork.port, "POST", "/api/sources", source("form", "/etc"),
                "Content-Type: application/x-www-form-urlencoded"));
        assertNoSource("form");
        assertRefused(415, RawHttp.send(cogwork.port, "POST", "/api/sources", source("none", "/etc")));
        assertNoSource("none");
        // an empty form post (a button on a page) cannot stop a bundle either
        assertRefused(415, RawHttp.send(cogwork.port, "POST", "/api/bundles/1/stop", new byte[0],
                "Content-Type: application/x-www-form-urlencoded"));
    }

    @Test
    void aMultipartUploadFromAForeignOriginIsRefused() throws Exception {
        String boundary = "b0undary";
        byte[] body = ("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x.jar\"\r\n"
                + "Content-Type: application/java-archive\r\n\r\nnot a jar\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8);
        int before = cogwork.get("/api/bundles").json().size();
        assertRefused(403, RawHttp.send(cogwork.port, "POST", "/api/bundles", body,
                "Content-Type: multipart/form-data; boundary=" + boundary, "Origin: http://evil.example"));
        assertEquals(before, cogwork.get("/api/bundles").json().size());
        // the same upload from no browser reaches the servlet, which finds no jar in it
        assertEquals(400, RawHttp.send(cogwork.port, "POST", "/api/bundles", body,
                "Content-Type: multipart/form-data; boundary=" + boundary).status());
    }

    @Test
    void aReverseProxysNameCanBeAllowed() throws Exception {
        assertRefused(403, RawHttp.send(cogwork.port, "GET", "/health", new byte[0], "Host: cogwork.example"));
        Files.writeString(cogwork.home.resolve("config/org.cogwork.runtime.cfg"), "allowed.hosts=cogwork.example\n");
        long end = System.nanoTime() + 10_000_000_000L;
        Cogwork.Response r = null;
        while (System.nanoTime() < end && (r == null || r.status() != 200)) {
            Thread.sleep(100);
            r = RawHttp.send(cogwork.port, "GET", "/health", new byte[0], "Host: cogwork.example",
                    "Origin: https://cogwork.example");
        }
        assertEquals(200, r.status(), r.body());
        assertRefused(403, RawHttp.send(cogwork.port, "GET", "/health", new byte[0], "Host: cogwork.example",
                "Origin: https://evil.example"));
    }

    @Test
    void clientsWithoutABrowserAndSameOriginPagesWork() throws Exception {
        Cogwork.Response curl = cogwork.post("/api/sources", source("curl", folder.toString()), "application/json");
        assertEquals(201, curl.status(), curl.body());
        Cogwork.Response page = RawHttp.send(cogwork.port, "POST", "/api/sources", source("page", folder.toString()),
                "Content-Type: application/json; charset=utf-8", "Origin: http://127.0.0.1:" + cogwork.port,
                "Sec-Fetch-Site: same-origin");
        assertEquals(201, page.status(), page.body());
        Cogwork.Response byName = RawHttp.send(cogwork.port, "GET", "/api/sources/page", new byte[0],
                "Host: localhost:" + cogwork.port, "Origin: http://localhost:" + cogwork.port);
        assertEquals(200, byName.status(), byName.body());
        assertRefused(403, RawHttp.send(cogwork.port, "DELETE", "/api/sources/page", new byte[0], "Origin: http://evil.example"));
        assertEquals(200, cogwork.get("/api/sources/page").status());
        assertEquals(200, cogwork.delete("/api/sources/page").status());
        assertEquals(200, cogwork.post("/api/sources/curl/test", new byte[0], "application/json").status());
        assertEquals(200, RawHttp.send(cogwork.port, "POST", "/api/sources/curl/test", new byte[0]).status(),
                "a POST without a body needs no Content-Type");
    }
}
