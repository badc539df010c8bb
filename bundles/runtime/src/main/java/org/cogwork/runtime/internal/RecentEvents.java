package org.cogwork.runtime.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.cogwork.api.event.Topics;
import org.cogwork.api.security.Role;
import org.cogwork.runtime.rest.RestResource;
import org.cogwork.runtime.rest.Routes;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventHandler;
import org.osgi.service.event.propertytypes.EventTopics;

/**
 * {@code GET /api/events[?topic=prefix][&limit=N]}: the most recent platform events ({@link Topics}) as
 * delivered by Event Admin, newest last. A window for people and scripts; monitoring subscribes itself.
 */
@Component(name = "org.cogwork.runtime.recentevents", service = {RestResource.class, EventHandler.class})
@EventTopics(Topics.ALL)
public class RecentEvents implements RestResource, EventHandler {
    static final int CAPACITY = 500;

    private final Deque<Map<String, Object>> events = new ArrayDeque<>();

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
    public void routes(Routes r) {
        r.tag("events");
        r.get("/api/events").roles(Role.DATA_SCIENTIST).returns(List.class)
                .query("topic", "only events whose topic starts with this, e.g. cogwork/training/")
                .query("limit", "at most this many of the newest (default: all kept)")
                .summary("the last " + CAPACITY + " platform events, newest last")
                .handle(call -> recent(call.query("topic"), call.queryInt("limit", CAPACITY, 1, Integer.MAX_VALUE)));
    }

    List<Map<String, Object>> recent(String prefix, int limit) {
        List<Map<String, Object>> out = new ArrayList<>();
        synchronized (events) {
            for (Map<String, Object> e : events) {
                if (prefix == null || ((String) e.get("topic")).startsWith(prefix)) {
                    out.add(e);
                }
            }
        }
        return out.subList(Math.max(0, out.size() - limit), out.size());
    }
}
