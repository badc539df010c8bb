package org.cogwork.runtime.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import org.cogwork.api.engine.AlgorithmInfo;
import org.cogwork.api.engine.Engine;
import org.cogwork.api.engine.EngineInfo;
import org.cogwork.api.engine.Hyperparameter;
import org.cogwork.api.problem.NotFoundException;
import org.cogwork.api.security.Role;
import org.cogwork.api.service.NamedServices;
import org.cogwork.runtime.rest.Json;
import org.cogwork.runtime.rest.RestResource;
import org.cogwork.runtime.rest.Routes;
import org.osgi.framework.Bundle;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * {@code GET /api/engines} and {@code GET /api/engines/{name}}: every {@link Engine} service in the
 * registry, straight from the registry (an engine bundle that arrives or leaves shows at once), with each
 * algorithm's typed hyperparameters (see {@link #hyperparameter}) so a console can draw a form for them.
 * The engine a name means is decided by {@link NamedServices}, as in training and serving; a later provider of a
 * name is listed after it as {@code NOT_USED} with the reason, and {@code /api/engines/{name}} is the one in use.
 */
@Component(name = "org.cogwork.runtime.engines", service = RestResource.class)
public class EnginesResource implements RestResource {
    private final Map<Long, Registered> engines = new ConcurrentSkipListMap<>();
    private final NamedServices<Registered> named = new NamedServices<>(Engine.ENGINE_NAME);

    private record Registered(Engine engine, ServiceReference<Engine> ref) {
    }

    @Reference(service = Engine.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY, updated = "updatedEngine")
    void addEngine(ServiceReference<Engine> ref, Engine engine) {
        Registered r = new Registered(engine, ref);
        engines.put((Long) ref.getProperty(Constants.SERVICE_ID), r);
        named.add(ref, r);
    }

    void updatedEngine(ServiceReference<Engine> ref) {
        named.modified(ref);
    }

    void removeEngine(ServiceReference<Engine> ref) {
        engines.remove((Long) ref.getProperty(Constants.SERVICE_ID));
        named.remove(ref);
    }

    @Override
    public void routes(Routes r) {
        r.tag("engines");
        r.get("/api/engines").roles(Role.DATA_SCIENTIST).returns(List.class)
                .summary("every installed engine: tasks, algorithms with their typed hyperparameters (type, default, "
                        + "bounds, choices), bundle; FAILED with the problem when it cannot say, "
                        + "NOT_USED (after the one in use) when another bundle provides its name")
                .handle(call -> all());
        r.get("/api/engines/{name}").roles(Role.DATA_SCIENTIST).returns(Map.class).summary("the engine the name means, as listed")
                .handle(call -> {
                    String name = call.path("name");
                    Registered inUse = named.get(name);
                    if (inUse == null) {
                        throw new NotFoundException("no engine named " + Json.quote(name));
                    }
                    return describe(inUse, null);
                });
    }

    /** By name, the one in use first, then the providers not used; engines registered without a name last. */
    private List<Map<String, Object>> all() {
        List<Registered> all = new ArrayList<>(engines.values());
        Map<String, List<ServiceReference<Engine>>> byName = NamedServices.byName(all.stream().map(Registered::ref).toList(),
                Engine.ENGINE_NAME);
        List<Map<String, Object>> out = new ArrayList<>();
        for (Map.Entry<String, List<ServiceReference<Engine>>> e : byName.entrySet()) {
            ServiceReference<Engine> first = e.getValue().get(0);
            for (ServiceReference<Engine> ref : e.getValue()) {
                Registered r = engines.get((Long) ref.getProperty(Constants.SERVICE_ID));
                if (r != null) {
                    out.add(describe(r, ref == first ? null : NamedServices.notUsed("engine name", e.getKey(), first)));
                }
            }
        }
        for (Registered r : all) {
            if (NamedServices.name(r.ref(), Engine.ENGINE_NAME) == null) {
                out.add(describe(r, "registered without the " + Engine.ENGINE_NAME + " property; it is never used"));
            }
        }
        return out;
    }

    /** @param notUsed why the engine is not used, or {@code null} when it is the one its name means */
    private static Map<String, Object> describe(Registered r, String notUsed) {
        Map<String, Object> m = new LinkedHashMap<>();
        Bundle b = r.ref().getBundle();
        try {
            EngineInfo info = r.engine().info();
            m.put("name", info.name());
            m.put("version", info.version());
            m.put("tasks", info.tasks().stream().sorted().toList());
            m.put("algorithms", info.algorithms().stream().map(EnginesResource::algorithm).toList());
            m.put("status", notUsed == null ? "AVAILABLE" : "NOT_USED");
            if (notUsed != null) {
                m.put("problem", notUsed);
            } else if (!info.name().equals(NamedServices.name(r.ref(), Engine.ENGINE_NAME))) {
                m.put("problem", "registered as " + Json.quote(String.valueOf(r.ref().getProperty(Engine.ENGINE_NAME)))
                        + " but info() names it " + Json.quote(info.name()) + "; its models will name an engine that is not this one");
            }
        } catch (RuntimeException e) {
            m.put("name", r.ref().getProperty(Engine.ENGINE_NAME));
            m.put("status", "FAILED");
            m.put("problem", "info() failed: " + e);
        }
        m.put("serviceId", r.ref().getProperty(Constants.SERVICE_ID));
        if (b != null) {
            m.put("bundle", Map.of("id", b.getBundleId(), "symbolicName", b.getSymbolicName(),
                    "version", b.getVersion().toString()));
        }
        return m;
    }

    private static Map<String, Object> algorithm(AlgorithmInfo a) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", a.name());
        m.put("task", a.task());
        m.put("description", a.description());
        m.put("hyperparameters", a.hyperparameters().stream().map(EnginesResource::hyperparameter).toList());
        return m;
    }

    /**
     * What a form needs to draw a field and check it before sending: {@code name}, {@code type}, {@code required},
     * {@code default} (absent when there is none), {@code min}/{@code minInclusive} and {@code max}/{@code maxInclusive}
     * (absent when unbounded), {@code choices} (a CHOICE's), {@code description}. The server checks the same declaration.
     */
    static Map<String, Object> hyperparameter(Hyperparameter h) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", h.name());
        m.put("type", h.type());
        m.put("required", h.required());
        if (h.defaultValue() != null) {
            m.put("default", h.defaultValue());
        }
        if (h.min() != null) {
            m.put("min", h.min());
            m.put("minInclusive", h.minInclusive());
        }
        if (h.max() != null) {
            m.put("max", h.max());
            m.put("maxInclusive", h.maxInclusive());
        }
        if (!h.choices().isEmpty()) {
            m.put("choices", h.choices());
        }
        m.put("description", h.description());
        return m;
    }
}
