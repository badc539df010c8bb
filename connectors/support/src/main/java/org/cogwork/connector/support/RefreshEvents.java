package org.cogwork.connector.support;

import java.util.Map;
import org.cogwork.api.event.Events;
import org.cogwork.api.event.Topics;
import org.osgi.service.event.EventAdmin;

/**
 * Publishes {@link Topics#CONNECTOR_REFRESHED} for one source through the Event Admin its component binds
 * (optionally and dynamically: without one, refreshes are still detected and logged, just not published).
 * Thread-safe.
 */
public final class RefreshEvents {
    private final String sourceId;
    private final String kind;
    private volatile EventAdmin events;

    public RefreshEvents(String sourceId, String kind) {
        this.sourceId = sourceId;
        this.kind = kind;
    }

    public void bind(EventAdmin e) {
        this.events = e;
    }

    public void unbind(EventAdmin e) {
        if (this.events == e) {
            this.events = null;
        }
    }

    /** Announces that {@code dataset} changed; a {@link ChangeWatcher} calls this. */
    public void refreshed(String dataset) {
        Events.post(events, Topics.CONNECTOR_REFRESHED, Map.of(Topics.SOURCE_ID, sourceId, Topics.SOURCE_KIND, kind,
                Topics.DATASET, dataset));
    }
}
