package org.cogwork.sources.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Hashtable;
import java.util.Map;
import java.util.Set;
import org.cogwork.runtime.rest.Secrets;
import org.junit.jupiter.api.Test;

class SourcesServletTest {
    @Test
    void onlyDeclaredNonSecretValuesAreShown() {
        Hashtable<String, Object> props = new Hashtable<>(Map.of("cogwork.source.id", "pg", "service.pid", "x",
                "url", "jdbc:postgresql://h/db?password=hunter2", "user", "bob", "password", "s3cr3t", "pwd", "typo",
                ".legacy", "old", "pool.max", 4L));
        Secrets.Declared declared = new Secrets.Declared(Set.of("cogwork.source.id", "url", "user", "password", "pool.max"),
                Set.of("password"));
        assertEquals(Map.of("url", "jdbc:postgresql://h/db?password=********", "user", "bob", "password", Secrets.MASK,
                "pwd", Secrets.MASK, "legacy", Secrets.MASK, "pool.max", 4L), SourcesServlet.shown(props, declared));
    }

    @Test
    void withoutADeclarationNothingIsShown() {
        Hashtable<String, Object> props = new Hashtable<>(Map.of("path", "/data", "token", "t"));
        assertEquals(Map.of("path", Secrets.MASK, "token", Secrets.MASK), SourcesServlet.shown(props, null));
    }

    @Test
    void aConnectorsMessageNamesTheSettingAtFault() {
        Map<String, Object> props = Map.of("url", "u", "fetch.size", 0, "secret.key", "", "access.key", "a");
        assertEquals("config.url", SourcesServlet.fieldOf("url: the H2 setting INIT is not allowed", props));
        assertEquals("config.fetch.size", SourcesServlet.fieldOf("fetch.size must be >= 1, was 0", props));
        assertEquals("config.secret.key", SourcesServlet.fieldOf("secret.key is required when access.key is set", props));
        assertEquals("config", SourcesServlet.fieldOf("urlish: something", props));
        assertEquals("config", SourcesServlet.fieldOf("connection refused", props));
    }
}
