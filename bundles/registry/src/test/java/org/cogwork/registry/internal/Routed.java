package org.cogwork.registry.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.cogwork.api.security.Principal;
import org.cogwork.runtime.rest.Call;
import org.cogwork.runtime.rest.ErrorShape;
import org.cogwork.runtime.rest.Handler;
import org.cogwork.runtime.rest.Json;
import org.cogwork.runtime.rest.RestResource;
import org.cogwork.runtime.rest.Route;
import org.cogwork.runtime.rest.Routes;

/**
 * A resource's declared routes, called directly as the dispatcher would after authentication: the body bound
 * strictly with the runtime's mapper, path and query parameters given by the test. For handlers that read
 * neither the servlet request nor the response.
 */
final class Routed {
    final List<Route> routes = new ArrayList<>();

    Routed(RestResource resource) {
        resource.routes(new Routes() {
            @Override
            public Route.Builder route(String method, String path) {
                return new Route.Builder(method, path, routes::add);
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
    }

    Route route(String method, String template) {
        return routes.stream().filter(r -> r.method().equals(method) && r.path().equals(template)).findFirst()
                .orElseThrow(() -> new AssertionError("no route " + method + " " + template));
    }

    /** Calls the route as {@code who}; {@code json} is the body ({@code null} for none). */
    @SuppressWarnings("unchecked")
    Object call(Principal who, String method, String template, Map<String, String> path, Map<String, String> query, String json)
            throws IOException {
        Route r = route(method, template);
        Object body = null;
        if (json != null) {
            try {
                body = Json.MAPPER.treeToValue(Json.readObject(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8))), r.body());
            } catch (JsonProcessingException e) {
                throw Json.badRequest(e);
            }
        }
        Object bound = body;
        return ((Handler<Object>) r.handler()).handle(new Call<>() {
            @Override
            public Object body() {
                return bound;
            }

            @Override
            public String path(String name) {
                String v = path.get(name);
                if (v == null) {
                    throw new IllegalStateException("no path parameter " + name);
                }
                return v;
            }

            @Override
            public Principal principal() {
                return who;
            }

            @Override
            public String query(String name) {
                return query.get(name);
            }

            @Override
            public HttpServletRequest request() {
                throw new UnsupportedOperationException("not for this harness");
            }

            @Override
            public HttpServletResponse response() {
                throw new UnsupportedOperationException("not for this harness");
            }
        });
    }
}
