package org.cogwork.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Live configuration, and the launcher's answers to a busy port, a busy home and SIGTERM. */
class ConfigAndLauncherTest {
    @TempDir
    Path tmp;

    @Test
    void configurationFileChangesApplyWhileRunning() throws Exception {
        try (Cogwork cogwork = Cogwork.fresh(tmp).start()) {
            assertEquals("cogwork", cogwork.get("/health").json().path("instance").asText());
            Path cfg = cogwork.home.resolve("config/org.cogwork.runtime.cfg");
            String original = Files.readString(cfg);

            Files.writeString(cfg, original.replace("instance.name=cogwork", "instance.name=staging-eu")
                    .replace("upload.max.bytes=268435456", "upload.max.bytes=1000"));
            cogwork.await("/health", h -> "staging-eu".equals(h.path("instance").asText()), Duration.ofSeconds(10));
            byte[] jar = Files.readAllBytes(Cogwork.testBundle("org.cogwork.engine.baseline"));
            Cogwork.Response tooBig = cogwork.post("/api/bundles", jar, "application/java-archive");
            assertEquals(413, tooBig.status(), tooBig.body());
            assertEquals("body", tooBig.json().path("field").asText());

            Files.writeString(cfg, original);
            cogwork.await("/health", h -> "cogwork".equals(h.path("instance").asText()), Duration.ofSeconds(10));
            assertEquals(201, cogwork.post("/api/bundles", jar, "application/java-archive").status());
        }
    }

    /**
     * With a flight recording running from the start (how one profiles a server), Jdbi's JFR statement events call
     * handler classes the JDK defines at run time; without boot delegation for them every database call failed
     * (NoClassDefFoundError in the persistence bundle) and the runtime never came UP.
     */
    @Test
    void runsWithJavaFlightRecorderOn() throws Exception {
        Cogwork fresh = Cogwork.fresh(tmp);
        fresh.env.put("JAVA_OPTS", "-XX:+UseSerialGC -XX:StartFlightRecording:filename=" + tmp.resolve("rec.jfr"));
        try (Cogwork cogwork = fresh.start()) {
            Cogwork.Response token = cogwork.as(Cogwork.ADMIN).post("/api/tokens", "{\"name\": \"jfr\", \"role\": \"integrator\"}");
            assertEquals(201, token.status(), token.body());
            assertEquals(200, cogwork.get("/api/audit?max=5").status());
            assertTrue(!cogwork.log().contains("NoClassDefFoundError"), cogwork.log());
        }
    }

    @Test
    void secondInstanceOnABusyPortOrHomeFailsClearly() throws Exception {
        try (Cogwork first = Cogwork.fresh(tmp.resolve("a")).start()) {
            Cogwork other = Cogwork.fresh(tmp.resolve("b"));
            Process busyPort = other.launch("--port", Integer.toString(first.port));
            assertTrue(busyPort.waitFor(30, TimeUnit.SECONDS), "second instance should exit");
            assertEquals(1, busyPort.exitValue());
            assertTrue(other.log().contains("port " + first.port + " on 127.0.0.1 is already in use"), other.log());

            Process sameHome = first.launch("--port", Integer.toString(Cogwork.freePort()));
            assertTrue(sameHome.waitFor(30, TimeUnit.SECONDS), "instance on a busy home should exit");
            assertEquals(1, sameHome.exitValue());
            assertTrue(first.log().contains("another Cogwork is already running with home"), first.log());

            assertEquals(200, first.get("/health").status(), "the first instance is untouched");
        }
    }

    @Test
    void badCommandLineGetsAReadableMessage() throws Exception {
        Cogwork c = Cogwork.fresh(tmp);
        Process p = c.launch("--port", "http");
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(2, p.exitValue());
        assertTrue(c.log().contains("port must be a number, was 'http'"), c.log());
    }
}
