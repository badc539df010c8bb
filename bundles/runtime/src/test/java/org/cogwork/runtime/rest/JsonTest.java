package org.cogwork.runtime.rest;

import org.cogwork.api.problem.ApiException;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {
    record Metric(String key, Double value, Map<String, String> tags) {
    }

    private static ApiException refused(String body) {
        return assertThrows(ApiException.class, () -> Json.readObject(new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8))));
    }

    private static ApiException mapped(String body) {
        JsonProcessingException e = assertThrows(JsonProcessingException.class, () -> Json.MAPPER.readValue(body, Metric.class));
        return Json.badRequest(e);
    }

    @Test
    void anythingButAnObjectIsA400NamingTheBody() {
        for (String body : List.of("", "null", "[]", "\"x\"", "42", "{", "{} x", "[".repeat(10_000))) {
            ApiException e = refused(body);
            assertEquals(400, e.status(), body);
            assertEquals("body", e.field(), body);
        }
        assertTrue(refused("null").getMessage().contains("must be a JSON object, was null"));
        assertTrue(refused("[".repeat(200)).getMessage().contains("nested more than 100 levels"));
    }

    @Test
    void mappingErrorsNameThePathAndTheJsonTypeNotAJavaClass() {
        ApiException number = mapped("{\"key\": \"k\", \"value\": \"high\"}");
        assertEquals("value", number.field());
        assertTrue(number.getMessage().contains("expected a number"), number.getMessage());
        ApiException map = mapped("{\"tags\": {\"a\": {}}}");
        assertEquals("tags.a", map.field());
        assertTrue(map.getMessage().contains("expected a string"), map.getMessage());
        ApiException unknown = mapped("{\"kee\": 1}");
        assertEquals("kee", unknown.field());
        assertTrue(unknown.getMessage().contains("unknown field 'kee'; known fields: key, tags, value"), unknown.getMessage());
        for (ApiException e : List.of(number, map, unknown, mapped("{\"key\": [1]}"), mapped("{\"value\": 1e400x}"))) {
            assertFalse(e.getMessage().contains("java.") || e.getMessage().contains("org.cogwork") || e.getMessage().contains("`"), e.getMessage());
        }
    }

    @Test
    void errorBodiesQuoteShortlyAndNameNoClass() {
        String q = "q".repeat(10_000);
        ErrorBody b = new ErrorBody("no run with id '" + q + "'", q, "java.lang.NullPointerException: at org.cogwork.registry.internal.Tracking$1.x");
        assertFalse(b.error().contains("q".repeat(101)), b.error());
        assertTrue(b.error().startsWith("no run with id '" + "q".repeat(99) + "…"), b.error());
        assertEquals(101, b.field().length());
        assertFalse(b.detail().contains("java.") || b.detail().contains("org.cogwork"), b.detail());
        assertEquals("'" + "q".repeat(100) + "…'", Json.quote(q));
        assertEquals("platform bundle org.cogwork.runtime cannot be removed", ErrorBody.safe("platform bundle org.cogwork.runtime cannot be removed"));
    }

    @Test
    void namesLongerThanTheLimitAreRefusedNamingTheField() {
        assertEquals("ok", Json.checkLength("name", "ok", 250));
        ApiException e = assertThrows(ApiException.class, () -> Json.checkLength("name", "n".repeat(251), 250));
        assertEquals("name", e.field());
        assertEquals("name must be at most 250 characters, was 251", e.getMessage());
    }
}
