package org.cogwork.runtime.internal;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServletRequest;
import java.util.LinkedHashMap;
import java.util.Map;
import org.cogwork.runtime.rest.ApiException;
import org.cogwork.runtime.rest.JsonServlet;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletPattern;

/**
 * {@code GET /}: what this server is and where its resources are. Any path no other servlet claims gets a
 * JSON 404 here, in the common error shape.
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

    @Override
    protected Reply handle(String method, String path, HttpServletRequest req) {
        String full = req.getServletPath() + path;
        if (!full.isEmpty() && !"/".equals(full)) {
            throw ApiException.notFound("no such resource: " + method + " " + full);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", "Cogwork");
        body.put("version", ctx.getBundle().getVersion().toString());
        body.put("links", Map.of(
                "health", "/health",
                "bundles", "/api/bundles",
                "services", "/api/services",
                "engines", "/api/engines",
                "sources", "/api/sources",
                "trainings", "/api/trainings",
                "events", "/api/events"));
        return Reply.ok(body);
    }
}
