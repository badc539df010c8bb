package org.cogwork.runtime.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.core.JsonProcessingException;
import org.cogwork.api.problem.ApiException;
import org.cogwork.api.problem.InvalidFieldException;
import org.cogwork.api.security.Role;
import org.junit.jupiter.api.Test;

/** The one mapper binds strictly: nothing the client sent is coerced, and a record's own checks name their field. */
class StrictBindingTest {
    record Split(Double testFraction) {
        Split {
            if (testFraction != null && (testFraction <= 0 || testFraction >= 1)) {
                throw new InvalidFieldException("testFraction", "testFraction must be between 0 and 1, was " + testFraction);
            }
        }
    }

    record Spec(Integer seed, String name, Split split, Role role) {
    }

    private static ApiException refused(String json) {
        JsonProcessingException e = assertThrows(JsonProcessingException.class, () -> Json.MAPPER.readValue(json, Spec.class));
        return Json.badRequest(e);
    }

    @Test
    void nothingIsCoerced() {
        assertEquals("seed", refused("{\"seed\": \"abc\"}").field());
        assertEquals("seed", refused("{\"seed\": \"42\"}").field());
        assertEquals("seed", refused("{\"seed\": 4.2}").field());
        assertEquals("name", refused("{\"name\": 7}").field());
        assertEquals("name", refused("{\"name\": true}").field());
        assertEquals("split.testFracton", refused("{\"split\": {\"testFracton\": 0.3}}").field());
        assertEquals("role", refused("{\"role\": \"ADMIN\"}").field());
    }

    @Test
    void recordChecksNameTheirPath() {
        ApiException e = refused("{\"split\": {\"testFraction\": 1.5}}");
        assertEquals(400, e.status());
        assertEquals("split.testFraction", e.field());
    }

    @Test
    void rolesTravelAsTheirIds() throws Exception {
        assertEquals(Role.DATA_SCIENTIST, Json.MAPPER.readValue("{\"role\": \"data-scientist\"}", Spec.class).role());
        assertEquals("\"data-scientist\"", Json.MAPPER.writeValueAsString(Role.DATA_SCIENTIST));
    }
}
