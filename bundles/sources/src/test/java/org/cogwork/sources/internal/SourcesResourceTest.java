package org.cogwork.sources.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.util.Hashtable;
import java.util.Map;
import java.util.Set;
import org.cogwork.api.problem.ApiException;
import org.cogwork.runtime.rest.Json;
import org.cogwork.runtime.rest.Secrets;
import org.junit.jupiter.api.Test;

class SourcesResourceTest {
    @Test
    void onlyDeclaredNonSecretValuesAreShown() {
        Hashtable<String, Object> props = new Hashtable<>(Map.of("cogwork.source.id", "pg", "service.pid", "x",
                "url", "jdbc:postgresql://h/db?password=hunter2", "user", "bob", "password", "s3cr3t", "pwd", "typo",
                ".legacy", "old", "pool.max", 4L));
        Secrets.Declared declared = new Secrets.Declared(Set.of("cogwork.source.id", "url", "user", "password", "pool.max"),
                Set.of("password"));
        assertEquals(Map.of("url", "jdbc:postgresql://h/db?password=********", "user", "bob", "password", Secrets.MASK,
                "pwd", Secrets.MASK, "legacy", Secrets.MASK, "pool.max", 4L), SourcesResource.shown(props, declared));
    }

    @Test
    void withoutADeclarationNothingIsShown() {
        Hashtable<String, Object> props = new Hashtable<>(Map.of("path", "/data", "token", "t"));
        assertEquals(Map.of("path", Secrets.MASK, "token", Secrets.MASK), SourcesResource.shown(props, null));
    }

    @Test
    void aConnectorsMessageNamesTheSettingAtFault() {
        Map<String, Object> props = Map.of("url", "u", "fetch.size", 0, "secret.key", "", "access.key", "a");
        assertEquals("config.url", SourcesResource.fieldOf("url: the H2 setting INIT is not allowed", props));
        assertEquals("config.fetch.size", SourcesResource.fieldOf("fetch.size must be >= 1, was 0", props));
        assertEquals("config.secret.key", SourcesResource.fieldOf("secret.key is required when access.key is set", props));
        assertEquals("config", SourcesResource.fieldOf("urlish: something", props));
        assertEquals("config", SourcesResource.fieldOf("connection refused", props));
    }

    @Test
    void theNewSourceBodyIsBoundStrictlyAndNamesTheFieldAtFault() throws Exception {
        SourcesResource.NewSource ok = Json.MAPPER.readValue("{\"id\": \"pg\", \"kind\": \"jdbc\", \"config\": {\"url\": \"x\"}}",
                SourcesResource.NewSource.class);
        assertEquals("x", ok.config().path("url").asText());
        assertNull(Json.MAPPER.readValue("{\"id\": \"a\", \"kind\": \"file\"}", SourcesResource.NewSource.class).config());
        assertEquals("id", bad("{\"id\": \"bad id!\", \"kind\": \"file\"}").field());
        assertEquals("kind", bad("{\"id\": \"a\", \"kind\": \"File\"}").field());
        assertEquals("id", bad("{\"kind\": \"file\"}").field());
        assertEquals("config", bad("{\"id\": \"a\", \"kind\": \"file\", \"config\": \"path=/tmp\"}").field());
        assertEquals("owner", bad("{\"id\": \"a\", \"kind\": \"file\", \"owner\": \"me\"}").field());
    }

    private static ApiException bad(String json) {
        return Json.badRequest(assertThrows(JsonProcessingException.class,
                () -> Json.MAPPER.readValue(json, SourcesResource.NewSource.class), json));
    }
}
