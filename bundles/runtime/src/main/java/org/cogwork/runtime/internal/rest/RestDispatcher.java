package org.cogwork.runtime.internal.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.cogwork.api.problem.ApiException;
import org.cogwork.api.problem.ForbiddenException;
import org.cogwork.api.problem.InvalidFieldException;
import org.cogwork.api.security.AuditLog;
import org.cogwork.api.security.Principal;
import org.cogwork.api.security.Role;
import org.cogwork.runtime.rest.Call;
import org.cogwork.runtime.rest.ErrorShape;
import org.cogwork.runtime.rest.Json;
import org.cogwork.runtime.rest.JsonServlet;
import org.cogwork.runtime.rest.Principals;
import org.cogwork.runtime.rest.Problems;
import org.cogwork.runtime.rest.Reply;
import org.cogwork.runtime.rest.RestResource;
import org.cogwork.runtime.rest.Route;
import org.cogwork.runtime.rest.Routes;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletMultipart;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletPattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one REST layer: serves every route that {@link RestResource} services declare, below {@code /api}, and
 * {@code /metrics} (the path Prometheus scrapes by default; declared by the metrics bundle like any route). For each
 * request it finds the route (404, or 405 with {@code Allow}), checks the caller's role (403; the
 * {@code AuthFilter} in front has already answered 401 to callers without valid credentials), binds the body
 * strictly to the route's type, calls the handler, writes JSON, maps every failure through {@link Problems} in
 * the resource's error shape, and writes state-changing calls to the audit log with the authenticated principal.
 */
@Component(service = {Servlet.class, RestDispatcher.class}, immediate = true)
@HttpWhiteboardServletPattern({"/api/*", "/metrics"})
@HttpWhiteboardServletMultipart(enabled = true)
public class RestDispatcher extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(RestDispatcher.class);

    private final transient Map<RestResource, List<RouteTable.Entry>> byResource = new IdentityHashMap<>();
    private transient volatile RouteTable table = RouteTable.EMPTY;
    private transient volatile AuditLog audit;

    public RestDispatcher() {
        addResource(new OpenApiResource(this));
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    synchronized void addResource(RestResource resource) {
        List<RouteTable.Entry> declared = new ArrayList<>();
        ErrorShape[] shape = {ErrorShape.DEFAULT};
        String[] tag = {resource.getClass().getSimpleName().replace("Resource", "").toLowerCase()};
        try {
            resource.routes(new Routes() {
                @Override
                public Route.Builder route(String method, String path) {
                    if (!List.of("GET", "POST", "PUT", "PATCH", "DELETE").contains(method)) {
                        throw new IllegalArgumentException("route method must be GET, POST, PUT, PATCH or DELETE: " + method);
                    }
                    if (!path.startsWith("/") || path.contains("//")) {
                        throw new IllegalArgumentException("route path must start with / and have no empty segment: " + path);
                    }
                    return new Route.Builder(method, path, r -> declared.add(RouteTable.Entry.of(r, null, null)));
                }

                @Override
                public Routes errors(ErrorShape s) {
                    shape[0] = s;
                    return this;
                }

                @Override
                public Routes tag(String t) {
                    tag[0] = t;
                    return this;
                }
            });
        } catch (RuntimeException e) {
            LOG.error("REST resource {} refused: {}", resource.getClass().getName(), e.getMessage());
            return;
        }
        List<RouteTable.Entry> entries = declared.stream().map(e -> RouteTable.Entry.of(e.route(), shape[0], tag[0])).toList();
        RouteTable current = table;
        for (RouteTable.Entry e : entries) {
            RouteTable.Entry clash = current.clash(e.route());
            if (clash != null) {
                LOG.error("REST resource {} refused: {} {} is already served by {}", resource.getClass().getName(),
                        e.route().method(), e.route().path(), clash.tag());
                return;
            }
        }
        byResource.put(resource, entries);
        rebuild();
    }

    synchronized void removeResource(RestResource resource) {
        if (byResource.remove(resource) != null) {
            rebuild();
        }
    }

    private void rebuild() {
        List<RouteTable.Entry> all = new ArrayList<>();
        byResource.values().forEach(all::addAll);
        table = new RouteTable(all);
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void setAudit(AuditLog log) {
        this.audit = log;
    }

    void unsetAudit(AuditLog log) {
        if (this.audit == log) {
            this.audit = null;
        }
    }

    /** Whether {@code method uri} is a route callers may use without credentials (sign-in). */
    public boolean isAnonymous(String method, String uri) {
        RouteTable.Match m = table.find(method, split(uri));
        return m.entry() != null && m.entry().route().anonymous();
    }

    RouteTable table() {
        return table;
    }

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String[] path = split(req.getRequestURI());
        RouteTable.Match m = table.find(req.getMethod(), path);
        if (m.entry() == null) {
            ApiException e = m.allowed() == null
                    ? new ApiException(404, "no such resource: " + Json.quote(req.getRequestURI()), null, null)
                    : new ApiException(405, "method " + req.getMethod() + " is not supported here; allowed: " + String.join(", ", m.allowed()), null, null);
            Problems.write(req, resp, e, ErrorShape.DEFAULT);
            if (m.allowed() != null) {
                resp.setHeader("Allow", String.join(", ", m.allowed()));
            }
            return;
        }
        Route route = m.entry().route();
        req.setAttribute(Route.ATTRIBUTE, route.path()); // for the HTTP server's meters: the template, never the path
        Principal principal = Principals.of(req);
        int status;
        try {
            if (!route.anonymous()) {
                if (principal == null) {
                    throw new ApiException(401, "sign in: send Basic credentials or a Bearer token", null, null);
                }
                if (!principal.mayUse(route.roles())) {
                    throw new ForbiddenException("the role " + principal.role().id() + " may not " + route.method() + " " + route.path(),
                            "allowed: " + allowed(route));
                }
            }
            Object body = route.body() == null || route.streamed() ? noBody(route, req) : bind(route.body(), req);
            Object result = ((org.cogwork.runtime.rest.Handler<Object>) route.handler()).handle(new RequestCall(body, m.params(), principal, req, resp));
            status = write(route, result, req, resp);
        } catch (RuntimeException | IOException e) {
            ApiException a = Problems.of(e, req);
            status = a.status();
            if (!resp.isCommitted()) {
                Problems.write(req, resp, a, m.entry().shape());
            }
        }
        if (route.audited() && principal != null) {
            record(principal, route, req, status);
        }
    }

    private static String allowed(Route r) {
        List<String> names = new ArrayList<>();
        names.add(Role.ADMIN.id());
        r.roles().forEach(x -> names.add(x.id()));
        return String.join(", ", names);
    }

    private static Object bind(Class<?> type, HttpServletRequest req) throws IOException {
        ObjectNode tree = Json.readObject(req);
        if (type == ObjectNode.class || type == JsonNode.class) {
            return tree;
        }
        return Json.MAPPER.treeToValue(tree, type);
    }

    /** Routes without a body type accept none, or an empty JSON object (some clients always send one). */
    private static Object noBody(Route route, HttpServletRequest req) throws IOException {
        if (route.streamed() || (req.getContentLengthLong() <= 0 && req.getHeader("Transfer-Encoding") == null)) {
            return null;
        }
        try (InputStream in = req.getInputStream()) {
            byte[] b = in.readNBytes(4097);
            String s = new String(b, java.nio.charset.StandardCharsets.UTF_8).strip();
            if (!s.isEmpty() && !s.replaceAll("\\s", "").equals("{}")) {
                throw new InvalidFieldException("body", route.method() + " " + route.path() + " takes no request body");
            }
        }
        return null;
    }

    private static int write(Route route, Object result, HttpServletRequest req, HttpServletResponse resp) throws IOException {
        if (result == Reply.WRITTEN) {
            return resp.getStatus();
        }
        int status;
        Object body;
        if (result instanceof Reply r) {
            status = r.status();
            body = r.body();
            r.headers().forEach(resp::setHeader);
        } else {
            status = result == null ? 204 : route.status();
            body = result;
        }
        resp.setStatus(status);
        JsonServlet.closeIfBodyUnread(req, resp);
        if (body != null) {
            Json.write(resp, body);
        }
        return status;
    }

    private void record(Principal p, Route route, HttpServletRequest req, int status) {
        AuditLog log = audit;
        if (log == null) {
            LOG.warn("audit log unavailable: {} {} by {} ({}) not recorded", route.method(), req.getRequestURI(), p.name(), status);
            return;
        }
        try {
            log.record(AuditLog.Entry.of(p.name(), p.role().id(), route.method() + " " + route.path(), req.getRequestURI(),
                    Integer.toString(status), req.getRemoteAddr()));
        } catch (RuntimeException e) {
            LOG.error("audit entry for {} {} by {} not recorded", route.method(), req.getRequestURI(), p.name(), e);
        }
    }

    static String[] split(String uri) {
        List<String> out = new ArrayList<>(8);
        int i = 0;
        int n = uri.length();
        while (i < n) {
            int j = uri.indexOf('/', i);
            if (j < 0) {
                j = n;
            }
            if (j > i) {
                out.add(uri.substring(i, j));
            }
            i = j + 1;
        }
        return out.toArray(String[]::new);
    }

    /** A request as a handler sees it. */
    private record RequestCall(Object body, Map<String, String> params, Principal principal, HttpServletRequest request,
            HttpServletResponse response) implements Call<Object> {
        @Override
        public String path(String name) {
            String v = params.get(name);
            if (v == null) {
                throw new IllegalStateException("no path parameter " + name);
            }
            return v;
        }

        @Override
        public String query(String name) {
            String v = request.getParameter(name);
            return v == null || v.isBlank() ? null : v;
        }
    }
}
