package org.cogwork.registry.internal;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.cogwork.api.tracking.Experiment;
import org.cogwork.api.tracking.ExperimentTracker;
import org.cogwork.runtime.rest.ApiException;
import org.cogwork.runtime.rest.Json;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletPattern;

/**
 * {@code /api/experiments}: GET lists ({@code ?filter=&deleted=true&max=&pageToken=}), POST {"name", "tags"}
 * creates (201); {@code /{id}}: GET, DELETE (soft), POST {@code /{id}/restore}.
 */
@Component(name = "org.cogwork.registry.rest.experiments", service = Servlet.class)
@HttpWhiteboardServletPattern({"/api/experiments", "/api/experiments/*"})
public class ExperimentsServlet extends RestSupport {
    private static final long serialVersionUID = 1L;

    private final transient ExperimentTracker tracker;

    record Create(String name, Map<String, String> tags) {
    }

    @Activate
    public ExperimentsServlet(@Reference ExperimentTracker tracker) {
        this.tracker = tracker;
    }

    @Override
    protected Reply serve(String method, List<String> seg, HttpServletRequest req) throws IOException {
        if (seg.isEmpty()) {
            return switch (method) {
                case "GET" -> Reply.ok(tracker.experiments(req.getParameter("filter"), "true".equals(req.getParameter("deleted")),
                        intParam(req, "max", 1000), req.getParameter("pageToken")));
                case "POST" -> {
                    Create c = Json.readObject(req, Create.class);
                    yield new Reply(201, tracker.createExperiment(c.name(), c.tags()));
                }
                default -> throw methodNotAllowed(method, "");
            };
        }
        String id = seg.get(0);
        if (seg.size() == 1) {
            switch (method) {
                case "GET":
                    return Reply.ok(find(id));
                case "DELETE":
                    tracker.deleteExperiment(id);
                    return Reply.ok(find(id));
                default:
                    throw methodNotAllowed(method, id);
            }
        }
        if (seg.size() == 2 && seg.get(1).equals("restore") && method.equals("POST")) {
            tracker.restoreExperiment(id);
            return Reply.ok(find(id));
        }
        throw notFound(method, "/api/experiments/" + String.join("/", seg));
    }

    private Experiment find(String id) {
        return tracker.experiment(id).orElseThrow(() -> ApiException.notFound("no experiment with id '" + id + "'"));
    }
}
