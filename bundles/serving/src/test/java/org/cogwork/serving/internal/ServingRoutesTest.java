package org.cogwork.serving.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.cogwork.api.problem.ApiException;
import org.cogwork.api.problem.InvalidFieldException;
import org.cogwork.api.security.Role;
import org.cogwork.runtime.rest.ErrorShape;
import org.cogwork.runtime.rest.Json;
import org.cogwork.runtime.rest.RestResource;
import org.cogwork.runtime.rest.Route;
import org.cogwork.runtime.rest.Routes;
import org.junit.jupiter.api.Test;

/** Who may call serving's routes, and how their bodies are bound. */
class ServingRoutesTest {
    static Map<String, Route> routes(RestResource resource) {
        Map<String, Route> out = new LinkedHashMap<>();
        resource.routes(new Routes() {
            @Override
            public Route.Builder route(String method, String path) {
                return new Route.Builder(method, path, r -> out.put(method + " " + path, r));
            }

            public Routes errors(ErrorShape shape) {
                return this;
            }

            public Routes tag(String tag) {
                return this;
            }
        });
        return out;
    }

    @Test
    void integratorsPredictReadSchemasAndSendFeedbackDataScientistsDoTheRest() {
        Map<String, Route> all = new LinkedHashMap<>(routes(new ServingResource()));
        all.putAll(routes(new PredictionsResource(null, null)));
        Set<Role> integrator = Set.of(Role.INTEGRATOR, Role.DATA_SCIENTIST);
        List<String> forIntegrators = new ArrayList<>();
        all.forEach((name, r) -> {
            assertFalse(r.anonymous(), name);
            if (r.roles().equals(integrator)) {
                forIntegrators.add(name);
            } else {
                assertEquals(Set.of(Role.DATA_SCIENTIST), r.roles(), name);
            }
        });
        assertEquals(List.of("POST /api/models/{name}/predict", "GET /api/models/{name}/schema",
                "POST /api/predictions/{id}/feedback"), forIntegrators);
        assertEquals(Set.of("GET /api/models/{name}/traffic", "PUT /api/models/{name}/traffic", "DELETE /api/models/{name}/traffic",
                "GET /api/models/{name}/serving-options", "PUT /api/models/{name}/serving-options",
                "DELETE /api/models/{name}/serving-options", "GET /api/serving", "GET /api/predictions/{id}", "GET /api/predictions/{id}/feedback"),
                Set.copyOf(all.keySet().stream().filter(k -> !forIntegrators.contains(k)).toList()));
        Route predict = all.get("POST /api/models/{name}/predict");
        assertFalse(predict.audited(), "predictions are in the prediction log, not the audit log");
        assertTrue(predict.streamed(), "predict reads its body itself, bounded by max.body.bytes");
        assertTrue(all.get("PUT /api/models/{name}/traffic").audited());
        assertTrue(all.get("POST /api/predictions/{id}/feedback").audited());
    }

    private static ApiException refused(String json, Class<?> type) {
        return Json.badRequest(assertThrows(JsonProcessingException.class, () -> Json.MAPPER.readValue(json, type), json));
    }

    @Test
    void aPredictBodyIsBoundStrictlyNamingTheField() throws Exception {
        ServingResource.PredictRequest ok = Json.MAPPER.readValue("{\"rows\": [{\"Age\": 30, \"Home\": \"rent\", \"x\": null}], \"callerKey\": \"c\"}",
                ServingResource.PredictRequest.class);
        assertEquals(30, ((Number) ok.rows().get(0).get("Age")).intValue());
        assertEquals("c", ok.callerKey());
        assertEquals("rows", refused("{\"callerKey\": \"c\"}", ServingResource.PredictRequest.class).field());
        assertEquals("rows[0]", refused("{\"rows\": [1]}", ServingResource.PredictRequest.class).field());
        assertEquals("rows[1]", refused("{\"rows\": [{}, null]}", ServingResource.PredictRequest.class).field());
        assertEquals("rows[0].Age", refused("{\"rows\": [{\"Age\": [30]}]}", ServingResource.PredictRequest.class).field());
        assertEquals("rows[0].Age", refused("{\"rows\": [{\"Age\": {\"years\": 30}}, {\"Home\": [1]}]}", ServingResource.PredictRequest.class).field(),
                "the first thing wrong is named");
        assertEquals("rows[2]", refused("{\"rows\": [{}, {}, \"x\", {\"Age\": [1]}]}", ServingResource.PredictRequest.class).field());
        assertEquals("rows", refused("{\"rows\": {\"Age\": 30}}", ServingResource.PredictRequest.class).field());
        Map<String, Object> typed = Json.MAPPER.readValue("{\"rows\": [{\"i\": 1, \"l\": 12345678901, \"b\": 123456789012345678901234567890, "
                + "\"d\": 1.5, \"t\": true, \"f\": false, \"n\": null, \"s\": \"x\", \"i\": 2}]}", ServingResource.PredictRequest.class).rows().get(0);
        assertEquals(Map.of("i", 2, "l", 12345678901L, "b", new java.math.BigInteger("123456789012345678901234567890"), "d", 1.5, "t", true,
                "f", false, "s", "x"), typed.entrySet().stream().filter(e -> e.getValue() != null)
                .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)), "the values Jackson's untyped reading gives (a repeated column: the last)");
        assertTrue(typed.containsKey("n") && typed.get("n") == null);
        assertEquals(List.of("i", "l", "b", "d", "t", "f", "n", "s"), List.copyOf(typed.keySet()), "columns in the order sent");
        assertEquals("author", refused("{\"rows\": [{}], \"author\": \"me\"}", ServingResource.PredictRequest.class).field());
        assertEquals(400, refused("{\"rows\": [", ServingResource.PredictRequest.class).status());
    }

    @Test
    void theLogKeepsRowsAsTheyWereSent() throws Exception {
        String rows = "[ {\"Home\": \"r\\u00e9nt \\\"x\\\"\", \"Name\": \"Zoë 🙂\", \"Age\": 30 } ,\n\t{\"Age\": 1.50e1, \"Home\": null} ]";
        byte[] body = ("{ \"callerKey\": \"c\",\n \"rows\" : " + rows + " }").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        ServingResource.PredictRequest two = ServingResource.bind(body);
        List<org.cogwork.api.engine.Prediction> outputs = List.of(new org.cogwork.api.engine.Prediction("good", Map.of("good", 0.75)),
                new org.cogwork.api.engine.Prediction("bad", Map.of("good", 0.25)));
        LoggedRequest logged = LoggedRequest.of(PredictionIds.next(0).toString(), 0, "m", 1, two.rows(), outputs, 5, false, "c");
        assertEquals(rows, logged.input(), "the rows array as sent, byte for byte");
        assertEquals(two.rows().get(0), logged.record(0).input());
        assertEquals("r\u00e9nt \"x\"", logged.record(0).input().get("Home"));
        assertEquals("Zoë 🙂", logged.record(0).input().get("Name"));
        assertEquals(two.rows().get(1), logged.record(1).input());
        assertEquals("bad", logged.record(1).output().value());

        String row = "{\"Age\" :30,\"Home\":\"rent\"}";
        ServingResource.PredictRequest one = ServingResource.bind(("{\"rows\":[" + row + "]}").getBytes(java.nio.charset.StandardCharsets.UTF_8));
        LoggedRequest single = LoggedRequest.of(PredictionIds.next(0).toString(), 0, "m", 1, one.rows(), outputs.subList(0, 1), 5, false, null);
        assertEquals(row, single.input(), "one row: its object, not an array");

        List<Map<String, Object>> inProcess = List.of(new LinkedHashMap<>(Map.of("Age", 30)));
        assertEquals("{\"Age\":30}", LoggedRequest.of(PredictionIds.next(0).toString(), 0, "m", 1, inProcess, outputs.subList(0, 1), 5, false,
                null).input(), "rows that did not come as JSON are written");
        assertEquals(2, two.rows().size());
        assertThrows(JsonProcessingException.class, () -> ServingResource.bind("{\"rows\": [{\"Age\": [1]}]}".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }

    @Test
    void feedbackHasNoAuthorField() throws Exception {
        assertEquals(-1.0, Json.MAPPER.readValue("{\"score\": -1, \"correctedLabel\": \"bad\"}", PredictionsResource.NewFeedback.class).score());
        ApiException author = refused("{\"score\": 1, \"author\": \"someone else\"}", PredictionsResource.NewFeedback.class);
        assertEquals(400, author.status());
        assertEquals("author", author.field());
        assertEquals("score", refused("{\"score\": \"up\"}", PredictionsResource.NewFeedback.class).field());
    }

    @Test
    void aBadTrafficPolicyNamesTheJsonPath() throws Exception {
        InvalidFieldException e = assertThrows(InvalidFieldException.class,
                () -> TrafficPolicies.parse(Json.MAPPER.readTree("{\"split\": [{\"version\": 1, \"weight\": 0}]}")));
        assertEquals("split[0].weight", e.field());
        assertEquals("split[0].weight: must be a positive number", e.getMessage());
        assertEquals("shadow[1]", assertThrows(InvalidFieldException.class,
                () -> TrafficPolicies.parse(Json.MAPPER.readTree("{\"shadow\": [2, \"x\"]}"))).field());
    }
}
