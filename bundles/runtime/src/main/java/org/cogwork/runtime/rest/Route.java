package org.cogwork.runtime.rest;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import org.cogwork.api.security.Role;

/**
 * One declared route: method, path template, the roles that may call it (an admin always may), the request and
 * response types, the query parameters it reads, and its handler. Immutable; made by {@link Builder}.
 *
 * @param method GET, POST, PUT, PATCH or DELETE
 * @param path the template, e.g. {@code /api/models/{name}}
 * @param roles who may call it besides admins; empty with {@code anonymous} for sign-in only
 * @param anonymous whether callers without credentials may call it
 * @param body the JSON request type, or {@code null} for none; {@link #streamed()} routes read the body themselves
 * @param streamed whether the handler reads the raw body (uploads, artifact bytes)
 * @param returns the response type (for the OpenAPI document), or {@code null}
 * @param status the status of a plain (non-{@link Reply}) result
 * @param query the query parameters read, name to description
 * @param summary one line for people
 * @param audited whether calls are written to the audit log (every state-changing route unless declared otherwise)
 * @param handler what it does
 */
public record Route(String method, String path, Set<Role> roles, boolean anonymous, Class<?> body, boolean streamed,
        Class<?> returns, int status, Map<String, String> query, String summary, boolean audited, Handler<?> handler) {

    /**
     * The request attribute holding the template ({@link #path()}) of the route a request was dispatched to, set
     * before the handler runs; filters read it after the chain (the HTTP server's meters tag requests by template,
     * so user input never becomes a label). Absent for requests no route served. @since 0.4
     */
    public static final String ATTRIBUTE = "org.cogwork.rest.route";

    public Route {
        roles = Collections.unmodifiableSet(roles.isEmpty() ? EnumSet.noneOf(Role.class) : EnumSet.copyOf(roles));
        query = Collections.unmodifiableMap(new LinkedHashMap<>(query));
    }

    /** Builds a route; {@link #handle} ends the declaration. */
    public static final class Builder {
        private final String method;
        private final String path;
        private final Consumer<Route> sink;
        private final Set<Role> roles = EnumSet.noneOf(Role.class);
        private boolean anonymous;
        private boolean rolesGiven;
        private Class<?> body;
        private boolean streamed;
        private Class<?> returns;
        private int status = 200;
        private final Map<String, String> query = new LinkedHashMap<>();
        private String summary = "";
        private Boolean audited;

        /** For the runtime's {@link Routes} implementation: {@code sink} receives the finished route. */
        public Builder(String method, String path, Consumer<Route> sink) {
            this.method = method;
            this.path = path;
            this.sink = sink;
        }

        /** The roles that may call this route besides admins ({@code roles()} with none: admins only). */
        public Builder roles(Role... allowed) {
            roles.addAll(List.of(allowed));
            rolesGiven = true;
            return this;
        }

        /** Callers need no credentials (sign-in itself). */
        public Builder anonymous() {
            anonymous = true;
            rolesGiven = true;
            return this;
        }

        /** The JSON body, bound strictly to {@code type} before the handler runs. */
        public Builder body(Class<?> type) {
            this.body = type;
            return this;
        }

        /** The handler reads the body itself ({@code contentType} for the OpenAPI document, e.g. a jar). */
        public Builder streamed() {
            this.streamed = true;
            return this;
        }

        public Builder returns(Class<?> type) {
            this.returns = type;
            return this;
        }

        /** The status of a plain result (default 200; 201 for creations, 202 for accepted jobs). */
        public Builder status(int code) {
            this.status = code;
            return this;
        }

        /** Declares a query parameter the handler reads. */
        public Builder query(String name, String description) {
            query.put(name, description);
            return this;
        }

        public Builder summary(String text) {
            this.summary = text;
            return this;
        }

        /** Whether calls go to the audit log; state-changing routes are audited unless they say {@code false}. */
        public Builder audited(boolean on) {
            this.audited = on;
            return this;
        }

        /** Ends the declaration. */
        public <B> void handle(Handler<B> handler) {
            Objects.requireNonNull(handler, "handler");
            if (!rolesGiven) {
                throw new IllegalStateException(method + " " + path + " declares no roles");
            }
            boolean audit = audited != null ? audited : !"GET".equals(method);
            sink.accept(new Route(method, path, roles, anonymous, body, streamed, returns, status, query, summary, audit, handler));
        }
    }

    /** The path's segments with their parameter names; used by the dispatcher and the OpenAPI document. */
    public List<String> segments() {
        List<String> out = new ArrayList<>();
        for (String s : path.split("/")) {
            if (!s.isEmpty()) {
                out.add(s);
            }
        }
        return out;
    }
}
