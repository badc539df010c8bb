package org.cogwork.runtime.internal;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.cogwork.api.connector.DataSource;
import org.cogwork.api.engine.Engine;
import org.cogwork.api.engine.EngineInfo;
import org.cogwork.api.event.Events;
import org.cogwork.api.event.Topics;
import org.cogwork.api.service.NamedServices;
import org.osgi.framework.Bundle;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.event.EventAdmin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes the life cycle of engines and connectors on Event Admin ({@link Topics}), so monitoring and the
 * console subscribe to topics instead of tracking services themselves.
 */
@Component(name = "org.cogwork.runtime.events", service = {})
public class PlatformEvents {
    private static final Logger LOG = LoggerFactory.getLogger(PlatformEvents.class);

    private final EventAdmin events;
    /** Event properties of the ADDED event per service id, reused for REMOVED (the service may be gone by then). */
    private final Map<Long, Map<String, Object>> seen = new ConcurrentHashMap<>();
    /** Only to say in the log when an engine arrives under a name another bundle has. */
    private final NamedServices<ServiceReference<Engine>> engines = new NamedServices<>(Engine.ENGINE_NAME);

    @Activate
    public PlatformEvents(@Reference EventAdmin events) {
        this.events = events;
    }

    @Reference(service = Engine.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void addEngine(ServiceReference<Engine> ref, Engine engine) {
        Map<String, Object> p = base(ref);
        try {
            EngineInfo info = engine.info();
            p.put(Topics.ENGINE_NAME, info.name());
            p.put(Topics.ENGINE_VERSION, info.version());
        } catch (RuntimeException e) {
            p.put(Topics.ENGINE_NAME, String.valueOf(ref.getProperty(Engine.ENGINE_NAME)));
        }
        engines.add(ref, ref);
        String name = NamedServices.name(ref, Engine.ENGINE_NAME);
        if (engines.isInUse(ref) || name == null) {
            LOG.info("Engine {} {} available", p.get(Topics.ENGINE_NAME), p.get(Topics.ENGINE_VERSION));
        } else {
            LOG.warn("Engine {} {} of {}: {}", p.get(Topics.ENGINE_NAME), p.get(Topics.ENGINE_VERSION), NamedServices.provider(ref),
                    NamedServices.notUsed("engine name", name, (ServiceReference<?>) engines.get(name)));
        }
        publish(Topics.ENGINE_ADDED, ref, p);
    }

    void removeEngine(ServiceReference<Engine> ref) {
        engines.remove(ref);
        Map<String, Object> p = seen.remove(id(ref));
        if (p != null) {
            LOG.info("Engine {} {} gone", p.get(Topics.ENGINE_NAME), p.get(Topics.ENGINE_VERSION));
            Events.post(events, Topics.ENGINE_REMOVED, p);
        }
    }

    @Reference(service = DataSource.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void addSource(ServiceReference<DataSource> ref) {
        Map<String, Object> p = base(ref);
        p.put(Topics.SOURCE_ID, String.valueOf(ref.getProperty(DataSource.SOURCE_ID)));
        p.put(Topics.SOURCE_KIND, String.valueOf(ref.getProperty(DataSource.SOURCE_KIND)));
        publish(Topics.CONNECTOR_ADDED, ref, p);
    }

    void removeSource(ServiceReference<DataSource> ref) {
        Map<String, Object> p = seen.remove(id(ref));
        if (p != null) {
            Events.post(events, Topics.CONNECTOR_REMOVED, p);
        }
    }

    private void publish(String topic, ServiceReference<?> ref, Map<String, Object> p) {
        seen.put(id(ref), p);
        Events.post(events, topic, p);
    }

    private static Map<String, Object> base(ServiceReference<?> ref) {
        Map<String, Object> p = new HashMap<>();
        Bundle b = ref.getBundle();
        if (b != null) {
            p.put(Topics.BUNDLE, b.getSymbolicName());
        }
        return p;
    }

    private static long id(ServiceReference<?> ref) {
        return (Long) ref.getProperty(Constants.SERVICE_ID);
    }
}
