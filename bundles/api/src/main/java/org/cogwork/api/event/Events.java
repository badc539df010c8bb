package org.cogwork.api.event;

import java.util.LinkedHashMap;
import java.util.Map;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventAdmin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one way platform bundles publish an event: {@link #post} adds {@link Topics#TIMESTAMP}, drops {@code null}
 * properties (Event Admin refuses none, but subscribers should not have to tell absent from null), posts
 * asynchronously and never lets a publishing failure reach the caller: an event is a notice, not part of the write
 * that caused it.
 *
 * <pre>{@code
 * Events.post(eventAdmin, Topics.FEEDBACK_RECEIVED, Map.of(Topics.PREDICTION_ID, id, Topics.USER, author));
 * }</pre>
 *
 * @since 0.2
 */
public final class Events {
    private static final Logger LOG = LoggerFactory.getLogger(Events.class);

    private Events() {
    }

    /**
     * Posts {@code topic} with {@code properties} (values that are {@code null} are left out) and the current time.
     *
     * @param ea the Event Admin, or {@code null} when none is installed (then nothing happens)
     */
    public static void post(EventAdmin ea, String topic, Map<String, ?> properties) {
        if (ea == null) {
            return;
        }
        Map<String, Object> p = new LinkedHashMap<>();
        properties.forEach((k, v) -> {
            if (v != null) {
                p.put(k, v);
            }
        });
        p.putIfAbsent(Topics.TIMESTAMP, System.currentTimeMillis());
        try {
            ea.postEvent(new Event(topic, p));
        } catch (RuntimeException e) {
            LOG.warn("Could not post {}: {}", topic, e.toString());
        }
    }
}
