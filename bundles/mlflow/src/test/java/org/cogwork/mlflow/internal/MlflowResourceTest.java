package org.cogwork.mlflow.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.cogwork.api.problem.ApiException;
import org.cogwork.api.problem.InvalidFieldException;
import org.cogwork.api.problem.NotFoundException;
import org.cogwork.api.registry.ModelRegistry;
import org.cogwork.api.security.Principal;
import org.cogwork.api.security.Role;
import org.cogwork.api.tracking.Experiment;
import org.cogwork.api.tracking.ExperimentTracker;
import org.cogwork.api.tracking.Run;
import org.cogwork.api.tracking.RunStatus;
import org.cogwork.runtime.rest.Call;
import org.cogwork.runtime.rest.ErrorShape;
import org.cogwork.runtime.rest.Handler;
import org.cogwork.runtime.rest.Route;
import org.cogwork.runtime.rest.Routes;
import org.junit.jupiter.api.Test;

/** The MLflow routes as declared: roles, audit, MLflow's error codes, and the caller as the only user recorded. */
class MlflowResourceTest {
    static final Principal ALICE = new Principal("alice", Role.DATA_SCIENTIST, "token");

    /** What the fake tracker was asked to do. */
    final Map<String, Object[]> calls = new HashMap<>();

    final ExperimentTracker tracker = (ExperimentTracker) Proxy.newProxyInstance(getClass().getClassLoader(),
            new Class<?>[] {ExperimentTracker.class}, (proxy, method, args) -> {
                calls.put(method.getName(), args);
                return switch (method.getName()) {
                    case "experiment" -> Optional.of(new Experiment((String) args[0], "e", "cogwork-artifacts:/7", "active",
                            Instant.EPOCH, Instant.EPOCH, Map.of()));
                    case "createRun" -> new Run("0123456789abcdef0123456789abcdef", (String) args[0], "r", RunStatus.RUNNING,
                            Instant.ofEpochMilli((Long) args[2]), null, "cogwork-artifacts:/7/x/artifacts", "active", Map.of(),
                            (Map<String, String>) args[3], Map.of());
                    // what the tracker's parser answers to a filter with OR (the value could hold "taken")
                    case "searchRuns" -> throw new InvalidFieldException("filter", "filter: OR is not supported: MLflow's search "
                            + "syntax joins comparisons with AND only, in 'tags.state = 'taken' OR tags.state = 'free''");
                    default -> throw new UnsupportedOperationException(method.getName());
                };
            });
    final ModelRegistry registry = (ModelRegistry) Proxy.newProxyInstance(getClass().getClassLoader(),
            new Class<?>[] {ModelRegistry.class}, (proxy, method, args) -> {
                throw new UnsupportedOperationException(method.getName());
            });

    List<Route> routes() {
        List<Route> out = new ArrayList<>();
        new MlflowResource(tracker, registry).routes(new Routes() {
            @Override
            public Route.Builder route(String method, String path) {
                return new Route.Builder(method, path, out::add);
            }

            @Override
            public Routes errors(ErrorShape shape) {
                return this;
            }

            @Override
            public Routes tag(String tag) {
                return this;
            }
        });
        return out;
    }

    Route route(String method, String endpoint) {
        return routes().stream().filter(r -> r.method().equals(method) && r.path().equals(MlflowResource.BASE + endpoint))
                .findFirst().orElseThrow();
    }

    @SuppressWarnings("unchecked")
    static Object call(Route r, String json) throws IOException {
        ObjectNode body = (ObjectNode) Shapes.JSON.readTree(json);
        return ((Handler<Object>) r.handler()).handle(new Call<>() {
            @Override
            public Object body() {
                return body;
            }

            @Override
            public String path(String name) {
                throw new IllegalStateException(name);
            }

            @Override
            public Principal principal() {
                return ALICE;
            }

            @Override
            public String query(String name) {
                return null;
            }

            @Override
            public HttpServletRequest request() {
                throw new UnsupportedOperationException();
            }

            @Override
            public HttpServletResponse response() {
                throw new UnsupportedOperationException();
            }
        });
    }

    @Test
    void everyEndpointIsForDataScientistsAndOnlyWritesAreAudited() {
        List<Route> all = routes();
        assertTrue(all.size() > 40, "routes: " + all.size());
        all.forEach(r -> assertEquals(Set.of(Role.DATA_SCIENTIST), r.roles(), r.method() + " " + r.path()));
        assertFalse(route("POST", "runs/search").audited());
        assertFalse(route("POST", "experiments/search").audited());
        assertTrue(route("POST", "runs/log-metric").audited());
        assertTrue(route("DELETE", "registered-models/alias").audited());
        assertEquals(ObjectNode.class, route("POST", "runs/create").body());
        assertTrue(route("DELETE", "registered-models/alias").streamed(), "a DELETE may carry its parameters in the query string");
    }

    @Test
    void aRunIsCreatedByTheCallerWhateverTheClientSays() throws Exception {
        // as MLflow's Java client sends it: int64 as a string, user_id and mlflow.user from the local account
        ObjectNode answer = (ObjectNode) call(route("POST", "runs/create"), """
                {"experiment_id": "7", "user_id": "mallory", "start_time": "1700000000000",
                 "tags": [{"key": "mlflow.user", "value": "mallory"}, {"key": "team", "value": "risk"}]}""");
        Object[] args = calls.get("createRun");
        assertEquals(1_700_000_000_000L, args[2]);
        assertEquals(Map.of("mlflow.user", "alice", "team", "risk"), args[3]);
        assertEquals("alice", answer.path("run").path("info").path("user_id").asText());
    }

    @Test
    void refusalsCarryMlflowsErrorCodes() {
        assertEquals("MALFORMED_REQUEST", MlflowErrors.code(new InvalidFieldException("body", "malformed JSON")));
        assertEquals("INVALID_PARAMETER_VALUE", MlflowErrors.code(new InvalidFieldException("key", "key must not be blank")));
        assertEquals("RESOURCE_ALREADY_EXISTS", MlflowErrors.code(new InvalidFieldException("name", "an experiment named 'x' already exists")));
        assertEquals("RESOURCE_DOES_NOT_EXIST", MlflowErrors.code(new NotFoundException("no run with id 'x'")));
        assertEquals("PERMISSION_DENIED", MlflowErrors.code(new ApiException(403, "no", null, null)));
        assertEquals("ENDPOINT_NOT_FOUND", MlflowErrors.code(new MlflowError(404, "ENDPOINT_NOT_FOUND", "no such endpoint")));
        ObjectNode internal = MlflowErrors.body(new ApiException(500, "internal error", null, "see the server log"));
        assertEquals("INTERNAL_ERROR", internal.path("error_code").asText());
        assertEquals("internal error (see the server log)", internal.path("message").asText());
        assertEquals(Set.of("error_code", "message"), Set.copyOf(iterable(internal)));
        String leaky = MlflowErrors.body(new ApiException(400, "bad: java.lang.NumberFormatException", null, null)).path("message").asText();
        assertFalse(leaky.contains("java.lang"), leaky);
    }

    @Test
    void aRefusedFilterIsAnInvalidParameterValueNamingWhatIsUnsupported() {
        MlflowError e = org.junit.jupiter.api.Assertions.assertThrows(MlflowError.class, () -> call(route("POST", "runs/search"),
                "{\"experiment_ids\": [\"1\"], \"order_by\": [], \"filter\": \"tags.state = 'taken' OR tags.state = 'free'\"}"));
        assertEquals(400, e.status());
        assertEquals("INVALID_PARAMETER_VALUE", e.code, "not RESOURCE_ALREADY_EXISTS because the filter says 'taken'");
        assertTrue(e.getMessage().contains("OR is not supported"), e.getMessage());
    }

    static List<String> iterable(ObjectNode n) {
        List<String> out = new ArrayList<>();
        n.fieldNames().forEachRemaining(out::add);
        return out;
    }

    @Test
    void unknownEndpointsAnswerInMlflowsTerms() {
        Route any = route("POST", "{endpoint+}");
        assertTrue(any.streamed() && !any.audited());
    }
}
