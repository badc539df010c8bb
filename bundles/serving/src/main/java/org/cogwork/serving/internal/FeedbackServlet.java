package org.cogwork.serving.internal;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.cogwork.api.feedback.Feedback;
import org.cogwork.api.feedback.FeedbackService;
import org.cogwork.api.serving.PredictionLog;
import org.cogwork.runtime.rest.ApiException;
import org.cogwork.runtime.rest.Json;
import org.cogwork.runtime.rest.JsonServlet;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletPattern;

/**
 * {@code /api/predictions/{id}} (the logged prediction) and {@code /api/predictions/{id}/feedback}: POST
 * {@code {"score": 1, "correctedLabel": "bad", "comment": "...", "author": "..."}} stores feedback on a
 * prediction (404 for an unknown id), GET lists it. What the active-learning loop feeds on.
 */
@Component(name = "org.cogwork.serving.feedback", service = Servlet.class)
@HttpWhiteboardServletPattern({"/api/predictions", "/api/predictions/*"})
public class FeedbackServlet extends JsonServlet {
    private static final long serialVersionUID = 1L;
    private final transient FeedbackService feedback;
    private final transient PredictionLog log;

    @Activate
    public FeedbackServlet(@Reference FeedbackService feedback, @Reference PredictionLog log) {
        this.feedback = feedback;
        this.log = log;
    }

    @Override
    protected Reply handle(String method, String path, HttpServletRequest req) throws IOException {
        String[] seg = path.startsWith("/") ? path.substring(1).split("/") : new String[0];
        if (seg.length == 0 || seg[0].isEmpty()) {
            throw ApiException.notFound("use /api/predictions/{id} or /api/predictions/{id}/feedback");
        }
        String id = seg[0];
        if (seg.length == 1 && method.equals("GET")) {
            return Reply.ok(log.find(id).orElseThrow(() -> ApiException.notFound("no prediction '" + id + "'")));
        }
        if (seg.length == 2 && seg[1].equals("feedback")) {
            if (method.equals("GET")) {
                if (log.find(id).isEmpty()) {
                    throw ApiException.notFound("no prediction '" + id + "'");
                }
                return Reply.ok(feedback.forPrediction(id));
            }
            if (method.equals("POST")) {
                JsonNode b = Json.readObject(req);
                for (Iterator<String> it = b.fieldNames(); it.hasNext(); ) {
                    String f = it.next();
                    if (!List.of("score", "correctedLabel", "comment", "author").contains(f)) {
                        throw ApiException.badRequest(f, "unknown field '" + f + "'; use score, correctedLabel, comment, author");
                    }
                }
                JsonNode score = b.get("score");
                if (score != null && !score.isNull() && !score.isNumber()) {
                    throw ApiException.badRequest("score", "score must be a number (1 up, -1 down, or your scale)");
                }
                String author = b.hasNonNull("author") ? b.get("author").asText() : req.getRemoteUser();
                try {
                    Feedback f = feedback.submit(id, score == null || score.isNull() ? null : score.asDouble(),
                            b.hasNonNull("correctedLabel") ? b.get("correctedLabel").asText() : null,
                            b.hasNonNull("comment") ? b.get("comment").asText() : null, author);
                    return new Reply(201, f);
                } catch (NoSuchElementException e) {
                    throw ApiException.notFound(e.getMessage());
                }
            }
        }
        throw methodNotAllowed(method, path);
    }
}
