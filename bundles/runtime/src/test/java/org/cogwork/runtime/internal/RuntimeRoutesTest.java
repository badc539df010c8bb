package org.cogwork.runtime.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.cogwork.api.engine.Hyperparameter;
import org.cogwork.api.security.Role;
import org.cogwork.runtime.rest.ErrorShape;
import org.cogwork.runtime.rest.Json;
import org.cogwork.runtime.rest.RestResource;
import org.cogwork.runtime.rest.Route;
import org.cogwork.runtime.rest.Routes;
import org.junit.jupiter.api.Test;
import org.osgi.framework.BundleContext;
import org.osgi.service.event.Event;

/** Who may call the runtime's own routes. */
class RuntimeRoutesTest {
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

    /** A stand-in whose methods all answer null, 0 or false: enough to construct a resource and list its routes. */
    @SuppressWarnings("unchecked")
    private static <T> T nothing(Class<T> type) {
        return (T) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (proxy, method, args) -> {
            Class<?> r = method.getReturnType();
            return r == long.class ? 0L : r == int.class ? 0 : r == boolean.class ? false : null;
        });
    }

    @Test
    void bundlesAndServicesAreForAdminsOnly() {
        Map<String, Route> bundles = routes(new BundlesResource(nothing(BundleContext.class), null, nothing(RuntimeConfig.class)));
        bundles.putAll(routes(new ServicesResource(null, null)));
        assertEquals(Set.of("GET /api/bundles", "POST /api/bundles", "GET /api/bundles/{id}", "DELETE /api/bundles/{id}",
                "POST /api/bundles/{id}/start", "POST /api/bundles/{id}/stop", "GET /api/services"), bundles.keySet());
        bundles.forEach((name, r) -> {
            assertEquals(Set.of(), r.roles(), name);
            assertFalse(r.anonymous(), name);
        });
        assertTrue(bundles.get("POST /api/bundles").streamed(), "a jar, not JSON");
    }

    @Test
    void dataScientistsSeeEnginesAndEvents() {
        Map<String, Route> read = routes(new EnginesResource());
        read.putAll(routes(new RecentEvents()));
        assertEquals(Set.of("GET /api/engines", "GET /api/engines/{name}", "GET /api/events"), read.keySet());
        read.forEach((name, r) -> assertEquals(Set.of(Role.DATA_SCIENTIST), r.roles(), name));
    }

    @Test
    void hyperparametersAreListedAsTypedFormFields() throws Exception {
        assertEquals("{\"name\":\"fractionFeaturesInSplit\",\"type\":\"NUMBER\",\"required\":false,\"default\":0.5,\"min\":0.0,"
                + "\"minInclusive\":false,\"max\":1.0,\"maxInclusive\":false,\"description\":\"features per split\"}",
                Json.MAPPER.writeValueAsString(EnginesResource.hyperparameter(
                        Hyperparameter.number("fractionFeaturesInSplit", 0.5, "features per split").greaterThan(0).lessThan(1))));
        assertEquals("{\"name\":\"hidden\",\"type\":\"INTEGER_LIST\",\"required\":false,\"default\":[128],\"min\":1,"
                + "\"minInclusive\":true,\"description\":\"layer sizes\"}",
                Json.MAPPER.writeValueAsString(EnginesResource.hyperparameter(
                        Hyperparameter.integerList("hidden", List.of(128), "layer sizes").atLeast(1))));
        assertEquals("{\"name\":\"outputs\",\"type\":\"CHOICE\",\"required\":false,\"default\":\"logits\","
                + "\"choices\":[\"logits\",\"probabilities\"],\"description\":\"\"}",
                Json.MAPPER.writeValueAsString(EnginesResource.hyperparameter(
                        Hyperparameter.choice("outputs", "logits", List.of("logits", "probabilities"), null))));
        assertEquals("{\"name\":\"path\",\"type\":\"PATH\",\"required\":true,\"description\":\"the file\"}",
                Json.MAPPER.writeValueAsString(EnginesResource.hyperparameter(Hyperparameter.path("path", "the file").asRequired())));
    }

    @Test
    void recentEventsFilterByTopicAndKeepTheNewest() {
        RecentEvents events = new RecentEvents();
        for (int i = 0; i < RecentEvents.CAPACITY + 3; i++) {
            events.handleEvent(new Event(i % 2 == 0 ? "cogwork/training/FINISHED" : "cogwork/bundle/STARTED", Map.of("n", i)));
        }
        List<Map<String, Object>> all = events.recent(null, RecentEvents.CAPACITY);
        assertEquals(RecentEvents.CAPACITY, all.size());
        assertEquals(RecentEvents.CAPACITY + 2, all.get(all.size() - 1).get("n"));
        List<Map<String, Object>> two = events.recent("cogwork/training/", 2);
        assertEquals(List.of(RecentEvents.CAPACITY + 0, RecentEvents.CAPACITY + 2), two.stream().map(e -> e.get("n")).toList());
    }
}
