package org.cogwork.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS switched on by configuration: a self-signed keystore made here with the JDK's keytool, its password in
 * the environment. The port then answers HTTPS (trusted through that certificate) and refuses plain HTTP;
 * credentials are still required.
 */
class TlsTest {
    @TempDir
    Path tmp;

    @Test
    void servesHttpsOnlyWithTheConfiguredKeystore() throws Exception {
        Cogwork cogwork = Cogwork.fresh(tmp);
        Path store = cogwork.home.resolve("config/tls.p12");
        String password = "keystore-secret-4711";
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "cogwork", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                "-dname", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-storetype", "PKCS12",
                "-keystore", store.toString(), "-storepass", password, "-keypass", password)
                .redirectErrorStream(true).start();
        String out = new String(keytool.getInputStream().readAllBytes());
        assertEquals(0, keytool.waitFor(), out);
        Path props = cogwork.home.resolve("config/cogwork.properties");
        Files.writeString(props, Files.readString(props).replace("tls.enabled=false", "tls.enabled=true")
                .replace("tls.keystore=", "tls.keystore=config/tls.p12"));
        cogwork.env.put("COGWORK_TLS_KEYSTORE_PASSWORD", password);
        Process p = cogwork.launch("--port", Integer.toString(cogwork.port));
        try {
            HttpClient https = HttpClient.newBuilder().sslContext(trusting(store, password)).build();
            String base = "https://127.0.0.1:" + cogwork.port;
            HttpResponse<String> health = null;
            for (long end = System.nanoTime() + Duration.ofSeconds(60).toNanos(); System.nanoTime() < end; Thread.sleep(100)) {
                if (!p.isAlive()) {
                    fail("Cogwork exited:\n" + cogwork.log());
                }
                try {
                    health = https.send(HttpRequest.newBuilder(URI.create(base + "/health")).build(), HttpResponse.BodyHandlers.ofString());
                    if (health.statusCode() == 200) {
                        break;
                    }
                } catch (IOException notYet) {
                    // not listening yet
                }
            }
            assertTrue(health != null && health.statusCode() == 200, "no HTTPS /health:\n" + cogwork.log());
            HttpResponse<String> anon = https.send(HttpRequest.newBuilder(URI.create(base + "/api/models")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(401, anon.statusCode(), anon.body());
            HttpResponse<String> admin = https.send(HttpRequest.newBuilder(URI.create(base + "/api/session"))
                    .header("Authorization", Cogwork.ADMIN).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, admin.statusCode(), admin.body());
            try {
                HttpResponse<String> plain = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + cogwork.port + "/health")).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
                assertTrue(plain.statusCode() >= 400, "plain HTTP is not served: " + plain.statusCode() + " " + plain.body());
            } catch (IOException refused) {
                // the TLS connector closes a plain-text connection: not served either
            }
            assertTrue(cogwork.log().contains("https://"), cogwork.log());
            assertTrue(!cogwork.log().contains(password), "the keystore password is not logged");
        } finally {
            p.destroy();
            p.waitFor();
        }
    }

    private static SSLContext trusting(Path store, String password) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            ks.load(in, password.toCharArray());
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }
}
