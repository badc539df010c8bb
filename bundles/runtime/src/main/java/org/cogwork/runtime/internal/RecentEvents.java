package org.cogwork.runtime.internal;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServletRequest;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.cogwork.api.event.Topics;
import org.cogwork.runtime.rest.ApiException;
import org.cogwork.runtime.rest.JsonServlet;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventHandler;
import org.osgi.service.event.propertytypes.EventTopics;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletPattern;

/**
 * {@code GET /api/events[?topic=prefix][&limit=N]}: the most recent platform events ({@link Topics}) as
 * delivered by Event Admin, newest last. A window for people and scripts; monitoring subscribes itself.
 */
@Component(name = "org.cogwork.runtime.recentevents", service = {Servlet.class, EventHandler.class})
@EventTopics(Topics.ALL)
@HttpWhiteboardServletPattern("/api/events")
public class RecentEvents extends JsonServlet implements EventHandler {
    private static final long serialVersionUID = 1L;
    static final int CAPACITY = 500;

    private final transient Deque<Map<String, Object>> events = new ArrayDeque<>();

    @Override
    public void handleEvent(Event event) {
        Map<String, Object> e = new TreeMap<>();
        for (String name : event.getPropertyNames()) {
            if (!"event.topics".equals(name)) {
                e.put(name, event.getProperty(name));
            }
        }
        e.put("topic", event.getTopic());
        synchronized (events) {
            events.addLast(e);
            if (events.size() > CAPACITY) {
                events.removeFirst();
            }
        }
    }

    @Override
    protected Reply handle(String method, String path, HttpServletRequest req) {
        if (!"GET".equals(method)) {
            throw methodNotAllowed(method, path);
        }
        String prefix = req.getParameter("topic");
        int limit = CAPACITY;
        if (req.getParameter("limit") != null) {
            try {
                limit = Integer.parseInt(req.getParameter("limit"));
            } catch (NumberFormatException e) {
                throw ApiException.badRequest("limit", "limit must be a number, was '" + req.getParameter("limit") + "'");
            }
            if (limit < 1) {
                throw ApiException.badRequest("limit", "limit must be >= 1, was " + limit);
            }
        }
        List<Map<String, Object>> out = new ArrayList<>();
        synchronized (events) {
            for (Map<String, Object> e : events) {
                if (prefix == null || ((String) e.get("topic")).startsWith(prefix)) {
                    out.add(e);
                }
            }
        }
        return Reply.ok(out.subList(Math.max(0, out.size() - limit), out.size()));
    }
}
