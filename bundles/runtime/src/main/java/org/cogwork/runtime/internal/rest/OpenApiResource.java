package org.cogwork.runtime.internal.rest;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.time.temporal.Temporal;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.cogwork.api.security.Role;
import org.cogwork.runtime.rest.Json;
import org.cogwork.runtime.rest.RestResource;
import org.cogwork.runtime.rest.Route;
import org.cogwork.runtime.rest.Routes;

/**
 * {@code GET /api/openapi.json}: an OpenAPI 3.0 document of every route currently declared, made from the
 * declarations themselves (so it cannot drift from what is served). Each operation carries its roles in
 * {@code x-cogwork-roles} ({@code admin} always included); anonymous routes have {@code security: []}. Request and
 * response schemas are derived from the declared records.
 */
final class OpenApiResource implements RestResource {
    private final RestDispatcher dispatcher;

    OpenApiResource(RestDispatcher dispatcher) {
        this.dispatcher = dispatcher;
    }

    @Override
    public void routes(Routes routes) {
        routes.tag("meta");
        routes.get("/api/openapi.json").roles(Role.values()).returns(ObjectNode.class)
                .summary("this document: every route, its roles and its types")
                .handle(call -> document(dispatcher.table()));
    }

    static ObjectNode document(RouteTable table) {
        ObjectNode doc = Json.MAPPER.createObjectNode();
        doc.put("openapi", "3.0.3");
        doc.putObject("info").put("title", "Cogwork").put("version", "0.1.0");
        ObjectNode schemes = doc.putObject("components").putObject("securitySchemes");
        schemes.putObject("basic").put("type", "http").put("scheme", "basic");
        schemes.putObject("bearer").put("type", "http").put("scheme", "bearer");
        ObjectNode schemas = ((ObjectNode) doc.get("components")).putObject("schemas");
        ArrayNode security = doc.putArray("security");
        security.addObject().putArray("basic");
        security.addObject().putArray("bearer");
        ObjectNode paths = doc.putObject("paths");
        table.byPath().forEach((path, entries) -> {
            ObjectNode item = paths.putObject(path.replace("+}", "}"));
            for (RouteTable.Entry e : entries) {
                Route r = e.route();
                ObjectNode op = item.putObject(r.method().toLowerCase());
                op.putArray("tags").add(e.tag());
                op.put("summary", r.summary());
                op.put("operationId", r.method().toLowerCase() + r.path().replaceAll("[^A-Za-z0-9]+", "_"));
                ArrayNode roles = op.putArray("x-cogwork-roles");
                if (r.anonymous()) {
                    op.putArray("security");
                } else {
                    roles.add(Role.ADMIN.id());
                    r.roles().stream().filter(x -> x != Role.ADMIN).forEach(x -> roles.add(x.id()));
                }
                op.put("x-cogwork-audited", r.audited());
                ArrayNode params = op.putArray("parameters");
                for (String seg : r.segments()) {
                    if (seg.startsWith("{")) {
                        params.addObject().put("name", seg.replaceAll("[{}+]", "")).put("in", "path").put("required", true)
                                .putObject("schema").put("type", "string");
                    }
                }
                r.query().forEach((name, description) -> params.addObject().put("name", name).put("in", "query")
                        .put("description", description).putObject("schema").put("type", "string"));
                if (r.streamed()) {
                    op.putObject("requestBody").putObject("content").putObject("application/octet-stream")
                            .putObject("schema").put("type", "string").put("format", "binary");
                } else if (r.body() != null) {
                    op.putObject("requestBody").put("required", true).putObject("content").putObject("application/json")
                            .set("schema", schema(r.body(), schemas));
                }
                ObjectNode responses = op.putObject("responses");
                ObjectNode ok = responses.putObject(Integer.toString(r.status())).put("description", "success");
                if (r.returns() != null) {
                    ok.putObject("content").putObject("application/json").set("schema", schema(r.returns(), schemas));
                }
                responses.putObject("400").put("description", "invalid input: {error, field, detail}");
                if (!r.anonymous()) {
                    responses.putObject("401").put("description", "no or bad credentials");
                    responses.putObject("403").put("description", "the role may not call this route");
                }
            }
        });
        return doc;
    }

    /** A JSON schema for {@code t}; records become named components. */
    static ObjectNode schema(Type t, ObjectNode components) {
        ObjectNode s = Json.MAPPER.createObjectNode();
        Class<?> c = t instanceof Class<?> k ? k : t instanceof ParameterizedType p ? (Class<?>) p.getRawType() : Object.class;
        if (c == String.class || c == char.class || c == Character.class || c.isEnum()) {
            s.put("type", "string");
            if (c.isEnum()) {
                ArrayNode values = s.putArray("enum");
                for (Object v : c.getEnumConstants()) {
                    values.add(v instanceof Role r ? r.id() : v.toString());
                }
            }
        } else if (c == boolean.class || c == Boolean.class) {
            s.put("type", "boolean");
        } else if (c == int.class || c == Integer.class || c == long.class || c == Long.class) {
            s.put("type", "integer");
        } else if (c.isPrimitive() || Number.class.isAssignableFrom(c)) {
            s.put("type", "number");
        } else if (Temporal.class.isAssignableFrom(c)) {
            s.put("type", "string").put("format", "date-time");
        } else if (c.isArray() || Collection.class.isAssignableFrom(c)) {
            s.put("type", "array");
            Type item = c.isArray() ? c.getComponentType() : t instanceof ParameterizedType p ? p.getActualTypeArguments()[0] : Object.class;
            s.set("items", schema(item, components));
        } else if (Map.class.isAssignableFrom(c)) {
            s.put("type", "object");
            if (t instanceof ParameterizedType p) {
                s.set("additionalProperties", schema(p.getActualTypeArguments()[1], components));
            }
        } else if (c.isRecord() && java.util.Arrays.stream(c.getMethods())
                .anyMatch(m -> m.isAnnotationPresent(com.fasterxml.jackson.annotation.JsonValue.class))) {
            // a record with its own JSON form (@JsonValue): its components say nothing about that form
            s.put("type", "object");
        } else if (c.isRecord()) {
            String name = c.getSimpleName();
            if (!components.has(name)) {
                ObjectNode def = components.putObject(name);
                def.put("type", "object").put("additionalProperties", false);
                ObjectNode props = def.putObject("properties");
                for (RecordComponent rc : c.getRecordComponents()) {
                    props.set(rc.getName(), schema(rc.getGenericType(), components));
                }
            }
            s.put("$ref", "#/components/schemas/" + name);
        } else {
            s.put("type", "object");
        }
        return s;
    }

}
