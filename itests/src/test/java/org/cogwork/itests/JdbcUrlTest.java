package org.cogwork.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A JDBC source URL cannot run code in the embedded database, nor open databases outside data/sources. */
class JdbcUrlTest {
    @TempDir
    static Path tmp;
    static Cogwork cogwork;

    @BeforeAll
    static void boot() throws Exception {
        cogwork = Cogwork.fresh(tmp).start();
    }

    @AfterAll
    static void shutdown() throws Exception {
        if (cogwork != null) {
            cogwork.stop();
        }
    }

    private static String h2(String name) {
        return "jdbc:h2:file:" + cogwork.home.resolve("data/sources/" + name).toAbsolutePath();
    }

    @Test
    void anInitScriptReadingEtcPasswdIsRefused() throws Exception {
        String url = h2("leak") + ";INIT=CREATE TABLE IF NOT EXISTS PASSWD AS SELECT * FROM CSVREAD('/etc/passwd', 'LINE', 'fieldSeparator=|')";
        Cogwork.Response r = FileSourceTest.create(cogwork, "leak", "jdbc", "{\"url\": \"" + url + "\"}");
        Cogwork.Response preview = cogwork.get("/api/sources/leak/datasets/PASSWD/preview");
        assertFalse(preview.body().contains("root:"), "the URL's INIT read /etc/passwd: " + preview.body());
        assertEquals(400, r.status(), r.body());
        assertEquals("config.url", r.json().path("field").asText(), r.body());
        assertTrue(r.json().path("detail").asText().contains("INIT"), r.body());
        assertEquals(404, cogwork.get("/api/sources/leak").status(), "nothing of the refused source stays");
    }

    @Test
    void fileWriteInAnInitIsRefused() throws Exception {
        Path target = tmp.resolve("written-by-h2.txt");
        String url = "jdbc:h2:mem:w;INIT=CALL FILE_WRITE(STRINGTOUTF8('owned'), '" + target + "')";
        Cogwork.Response r = FileSourceTest.create(cogwork, "writer", "jdbc", "{\"url\": \"" + url + "\"}");
        cogwork.post("/api/sources/writer/test", new byte[0], "application/json");
        assertFalse(Files.exists(target), "INIT wrote " + target);
        assertEquals(400, r.status(), r.body());
        assertEquals("config.url", r.json().path("field").asText(), r.body());
    }

    @Test
    void embeddedFilesOutsideTheDataRootAndDriverClassParametersAreRefused() throws Exception {
        Cogwork.Response outside = FileSourceTest.create(cogwork, "outside", "jdbc",
                "{\"url\": \"jdbc:h2:file:" + tmp.resolve("elsewhere/db") + "\"}");
        assertEquals(400, outside.status(), outside.body());
        assertEquals("config.url", outside.json().path("field").asText(), outside.body());
        assertFalse(Files.exists(tmp.resolve("elsewhere/db.mv.db")));
        Cogwork.Response pg = FileSourceTest.create(cogwork, "pgfactory", "jdbc", "{\"url\": \"" + JdbcSourceTest.PG
                + "?socketFactory=org.springframework.context.support.ClassPathXmlApplicationContext&socketFactoryArg=http://127.0.0.1:1/x.xml\"}");
        assertEquals(400, pg.status(), pg.body());
        assertTrue(pg.json().path("detail").asText().contains("socketFactory"), pg.body());
    }

    @Test
    void aConfigFileMeetsTheSameCheck() throws Exception {
        Path target = tmp.resolve("written-from-cfg.txt");
        // FileInstall reads .cfg files as java.util.Properties: backslashes escape
        Files.writeString(cogwork.home.resolve("config/org.cogwork.connector.jdbc-filed.cfg"), "cogwork.source.id=filed\n"
                + "url=jdbc:h2:mem:f;INIT=CALL FILE_WRITE(STRINGTOUTF8('owned'), '" + target.toString().replace("\\", "/") + "')\n");
        var s = cogwork.await("/api/sources/filed", j -> j.path("problem").asText().contains("INIT"), Duration.ofSeconds(10));
        assertEquals("UNAVAILABLE", s.path("status").asText(), s.toString());
        Thread.sleep(500);
        assertFalse(Files.exists(target), "INIT from a config file wrote " + target);
    }

    @Test
    void harmlessSettingsStillWork() throws Exception {
        Cogwork.Response r = FileSourceTest.create(cogwork, "modes", "jdbc",
                "{\"url\": \"" + h2("modes") + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DB_CLOSE_DELAY=-1\"}");
        assertEquals(201, r.status(), r.body());
        assertEquals(200, cogwork.post("/api/sources/modes/test", new byte[0], "application/json").status());
        assertEquals(201, FileSourceTest.create(cogwork, "mem", "jdbc", "{\"url\": \"jdbc:h2:mem:m;MODE=MySQL\"}").status());
    }
}
