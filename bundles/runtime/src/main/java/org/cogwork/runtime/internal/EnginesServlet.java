package org.cogwork.runtime.internal;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServletRequest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import org.cogwork.api.engine.Engine;
import org.cogwork.api.engine.EngineInfo;
import org.cogwork.runtime.rest.ApiException;
import org.cogwork.runtime.rest.JsonServlet;
import org.osgi.framework.Bundle;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletPattern;

/**
 * {@code GET /api/engines} and {@code GET /api/engines/{name}}: every {@link Engine} service in the
 * registry, straight from the registry (an engine bundle that arrives or leaves shows at once).
 */
@Component(name = "org.cogwork.runtime.engines", service = Servlet.class)
@HttpWhiteboardServletPattern({"/api/engines", "/api/engines/*"})
public class EnginesServlet extends JsonServlet {
    private static final long serialVersionUID = 1L;

    private final transient Map<Long, Registered> engines = new ConcurrentSkipListMap<>();

    private record Registered(Engine engine, ServiceReference<Engine> ref) {
    }

    @Reference(service = Engine.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void addEngine(ServiceReference<Engine> ref, Engine engine) {
        engines.put((Long) ref.getProperty(Constants.SERVICE_ID), new Registered(engine, ref));
    }

    void removeEngine(ServiceReference<Engine> ref) {
        engines.remove((Long) ref.getProperty(Constants.SERVICE_ID));
    }

    @Override
    protected Reply handle(String method, String path, HttpServletRequest req) {
        if (!"GET".equals(method)) {
            throw methodNotAllowed(method, path);
        }
        List<Map<String, Object>> all = new ArrayList<>();
        for (Registered r : engines.values()) {
            all.add(describe(r));
        }
        if (path.isEmpty() || "/".equals(path)) {
            return Reply.ok(all);
        }
        String name = path.substring(1);
        return Reply.ok(all.stream().filter(e -> name.equals(e.get("name"))).findFirst()
                .orElseThrow(() -> ApiException.notFound("no engine named '" + name + "'")));
    }

    private static Map<String, Object> describe(Registered r) {
        Map<String, Object> m = new LinkedHashMap<>();
        Bundle b = r.ref().getBundle();
        try {
            EngineInfo info = r.engine().info();
            m.put("name", info.name());
            m.put("version", info.version());
            m.put("tasks", info.tasks().stream().sorted().toList());
            m.put("algorithms", info.algorithms());
            m.put("status", "AVAILABLE");
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
}
