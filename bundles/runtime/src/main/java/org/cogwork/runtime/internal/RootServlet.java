package org.cogwork.runtime.internal;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServletRequest;
import java.util.LinkedHashMap;
import java.util.Map;
import org.cogwork.runtime.rest.Reply;
import org.cogwork.api.problem.ApiException;
import org.cogwork.runtime.rest.Json;
import org.cogwork.runtime.rest.JsonServlet;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletPattern;

/**
 * {@code GET /}: what this server is, its entry points ({@code /api}, {@code /health}) and where the OpenAPI
 * document lists every route. Any path outside {@code /api} that no other servlet claims gets a JSON 404 here,
 * in the common error shape (below {@code /api} the route table answers).
 */
@Component(name = "org.cogwork.runtime.root", service = Servlet.class)
@HttpWhiteboardServletPattern("/*")
public class RootServlet extends JsonServlet {
    private static final long serialVersionUID = 1L;

    private final transient BundleContext ctx;

    @Activate
    public RootServlet(BundleContext ctx) {
        this.ctx = ctx;
    }

    /** The servlets registered right now, read from the servlet whiteboard's registrations. */
    private java.util.List<String> resources() {
        java.util.TreeSet<String> out = new java.util.TreeSet<>();
        try {
            org.osgi.framework.ServiceReference<?>[] refs = ctx.getAllServiceReferences("jakarta.servlet.Servlet", null);
            if (refs != null) {
                for (org.osgi.framework.ServiceReference<?> r : refs) {
                    Object p = r.getProperty("osgi.http.whiteboard.servlet.pattern");
                    java.util.List<Object> patterns = p instanceof String[] a ? java.util.List.of((Object[]) a)
                            : p instanceof java.util.Collection<?> c ? new java.util.ArrayList<>(c) : p == null ? java.util.List.of() : java.util.List.of(p);
                    for (Object pattern : patterns) {
                        String s = pattern.toString().replaceAll("/\\*$", "");
                        if (!s.isEmpty() && !s.equals("/")) {
                            out.add(s);
                        }
                    }
                }
            }
        } catch (org.osgi.framework.InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
        return new java.util.ArrayList<>(out);
    }

    @Override
    protected Reply handle(String method, String path, HttpServletRequest req) {
        String full = req.getServletPath() + path;
        if (!full.isEmpty() && !"/".equals(full)) {
            throw ApiException.notFound("no such resource: " + method + " " + Json.quote(full));
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", "Cogwork");
        body.put("version", ctx.getBundle().getVersion().toString());
        body.put("resources", resources());
        body.put("openapi", "/api/openapi.json");
        return Reply.ok(body);
    }
}
