package org.cogwork.connector.jdbc;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.osgi.util.converter.Converters;

/** JDBC URLs that would run code, open ports or touch files are refused before anything connects. */
class JdbcUrlPolicyTest {
    @TempDir
    Path data;

    private JdbcSource source(String url) {
        JdbcSourceConfig c = Converters.standardConverter()
                .convert(Map.of("cogwork.source.id", "t", "url", url, "user", "sa")).to(JdbcSourceConfig.class);
        return new JdbcSource(c, data.toString());
    }

    @Test
    void anInitScriptInAnH2UrlNeverRuns() throws Exception {
        Path pwned = data.resolve("pwned.txt");
        String url = "jdbc:h2:mem:x;INIT=CALL FILE_WRITE('owned', '" + pwned.toString().replace("\\", "/") + "')";
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> {
            try (JdbcSource s = source(url)) {
                s.datasets(); // the first connection runs INIT
            }
        });
        assertTrue(e.getMessage().startsWith("url: the H2 setting INIT is not allowed"), e.getMessage());
        assertFalse(Files.exists(pwned), "INIT ran and wrote a file");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "jdbc:h2:mem:x;INIT=RUNSCRIPT FROM '/etc/passwd'",
        "jdbc:h2:mem:x;init=select 1",
        "jdbc:h2:mem:x;MODE=PostgreSQL; Init =select 1",
        "jdbc:h2:mem:x;AUTO_SERVER=TRUE",
        "jdbc:h2:mem:x;DATABASE_EVENT_LISTENER=com.example.Evil",
        "jdbc:h2:mem:x;TRACE_LEVEL_FILE=3",
        "jdbc:h2:mem:x;MODE=MySQL;INIT=select 1\\;select 2;IFEXISTS=TRUE",
        "jdbc:h2:tcp://localhost/~/x;INIT=select 1",
    })
    void codeRunningH2SettingsAreRefused(String url) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> JdbcUrlPolicy.check(url, data.resolve("sources")));
        assertTrue(e.getMessage().startsWith("url: the H2 setting "), e.getMessage());
    }

    @Test
    void embeddedH2FilesOnlyUnderTheDataRoot() {
        Path root = data.resolve("sources");
        assertDoesNotThrow(() -> JdbcUrlPolicy.check("jdbc:h2:file:" + root.resolve("db"), root));
        assertDoesNotThrow(() -> JdbcUrlPolicy.check("jdbc:h2:" + root.resolve("a/db") + ";MODE=PostgreSQL;DB_CLOSE_DELAY=-1", root));
        for (String url : new String[] {"jdbc:h2:/etc/passwd", "jdbc:h2:file:" + root.resolve("../../x"), "jdbc:h2:~/x",
            "jdbc:h2:./relative", "jdbc:h2:zip:" + root.resolve("a.zip") + "!/db", "jdbc:h2:split:" + root.resolve("db")}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> JdbcUrlPolicy.check(url, root), url);
            assertTrue(e.getMessage().startsWith("url: "), e.getMessage());
        }
    }

    @Test
    void memoryAndRemoteH2AreFine() {
        Path root = data.resolve("sources");
        assertDoesNotThrow(() -> JdbcUrlPolicy.check("jdbc:h2:mem:x;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DB_CLOSE_DELAY=-1", root));
        assertDoesNotThrow(() -> JdbcUrlPolicy.check("jdbc:h2:tcp://db.example:9092/~/sales;IFEXISTS=TRUE", root));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "jdbc:postgresql://h/db?socketFactory=org.springframework.context.support.ClassPathXmlApplicationContext&socketFactoryArg=http://x/b.xml",
        "jdbc:postgresql://h/db?sslfactory=com.example.Evil",
        "jdbc:postgresql://h/db?ssl=true&SSLHOSTNAMEVERIFIER=com.example.Evil",
        "jdbc:postgresql://h/db?loggerLevel=TRACE&loggerFile=/tmp/x.jsp",
        "jdbc:postgresql://h/db?authenticationPluginClassName=com.example.Evil",
        "jdbc:postgresql://h/db?socket%46actory=com.example.Evil",
        "jdbc:mariadb://h/db?allowLocalInfile=true",
        "jdbc:mariadb://h/db?socketFactory=com.example.Evil",
        "jdbc:mariadb://h/db?tlsSocketType=com.example.Evil",
        "jdbc:mariadb://h/db?credentialType=ENV",
    })
    void classLoadingAndFileParametersAreRefused(String url) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> JdbcUrlPolicy.check(url, data));
        assertTrue(e.getMessage().startsWith("url: the parameter "), e.getMessage());
    }

    @Test
    void ordinaryParametersAreFine() {
        assertDoesNotThrow(() -> JdbcUrlPolicy.check(
                "jdbc:postgresql://h:5432/db?ssl=true&sslmode=verify-full&ApplicationName=cogwork&currentSchema=s", data));
        assertDoesNotThrow(() -> JdbcUrlPolicy.check("jdbc:mariadb://h:3306/db?useSsl=true&connectTimeout=1000", data));
    }

    @Test
    void theDefaultEmbeddedDatabaseIsAllowed() throws Exception {
        JdbcSourceConfig c = Converters.standardConverter().convert(Map.of("cogwork.source.id", "d")).to(JdbcSourceConfig.class);
        try (JdbcSource s = new JdbcSource(c, data.toString())) {
            assertTrue(s.datasets().isEmpty());
        }
    }

    @Test
    void errorMessagesDoNotShowUserInfo() {
        try (JdbcSource s = source("jdbc:postgresql://bob:hunter2@127.0.0.1:1/db?password=hunter2")) {
            assertFalse(s.safeUrl().contains("hunter2"), s.safeUrl());
        }
    }
}
