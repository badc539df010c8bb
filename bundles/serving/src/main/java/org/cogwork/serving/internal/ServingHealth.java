package org.cogwork.serving.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.cogwork.api.health.HealthCheck;
import org.cogwork.api.health.HealthResult;
import org.cogwork.api.registry.ModelRegistry;
import org.cogwork.api.registry.ModelVersion;
import org.cogwork.api.registry.RegisteredModel;
import org.cogwork.api.serving.TrafficPolicy;
import org.cogwork.api.tracking.Page;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * {@code /health} entry "serving": always up (serving itself works), with a warning for every model version
 * that an alias or a traffic policy (split or shadow) sends requests to and whose engine is not installed, so
 * a production model that cannot be served is seen before a caller gets a 503. The engine is the one recorded in
 * the version's provenance (versions without it, e.g. registered through MLflow, are not judged). The answer is
 * kept for {@value #KEEP_MS} ms unless the installed engines change, so a busy {@code /health} costs the registry
 * little.
 */
@Component(service = HealthCheck.class)
public class ServingHealth implements HealthCheck {
    static final long KEEP_MS = 5000;
    private static final int MAX_MODELS = 10_000;

    private final Predictor predictor;
    private final ModelRegistry registry;
    private volatile Snapshot last;

    private record Snapshot(Set<String> engines, long at, int served, List<String> warnings) {
    }

    @Activate
    public ServingHealth(@Reference Predictor predictor, @Reference ModelRegistry registry) {
        this.predictor = predictor;
        this.registry = registry;
    }

    @Override
    public String name() {
        return "serving";
    }

    @Override
    public HealthResult check() {
        Snapshot s = snapshot();
        return HealthResult.up(s.served() + " model versions behind aliases or traffic policies"
                + (s.warnings().isEmpty() ? "" : ", " + s.warnings().size() + " of them cannot be served (see warnings)"));
    }

    @Override
    public List<String> warnings() {
        return snapshot().warnings();
    }

    private Snapshot snapshot() {
        Set<String> engines = predictor.engineNames();
        Snapshot s = last;
        long now = System.currentTimeMillis();
        if (s != null && s.engines().equals(engines) && now - s.at() < KEEP_MS) {
            return s;
        }
        s = compute(engines, now);
        last = s;
        return s;
    }

    private Snapshot compute(Set<String> engines, long now) {
        int served = 0;
        List<String> warnings = new ArrayList<>();
        String token = null;
        int seen = 0;
        do {
            Page<RegisteredModel> page = registry.searchModels(null, 1000, token);
            for (RegisteredModel m : page.items()) {
                for (Map.Entry<Integer, List<String>> e : servedVersions(m).entrySet()) {
                    served++;
                    String engine = registry.version(m.name(), e.getKey()).map(ServingHealth::engine).orElse(null);
                    if (engine != null && !engines.contains(engine)) {
                        warnings.add("model '" + m.name() + "' version " + e.getKey() + " (" + String.join(", ", e.getValue())
                                + ") cannot be served: its engine '" + engine + "' is not installed; engines are " + engines);
                    }
                }
            }
            seen += page.items().size();
            token = page.nextPageToken();
        } while (token != null && seen < MAX_MODELS);
        return new Snapshot(engines, now, served, List.copyOf(warnings));
    }

    /** The versions requests may reach, each with how: {@code alias production}, {@code traffic split}, {@code shadow}. */
    static Map<Integer, List<String>> servedVersions(RegisteredModel m) {
        Map<Integer, List<String>> out = new LinkedHashMap<>();
        new TreeSet<>(m.aliases().keySet()).forEach(a -> out.computeIfAbsent(m.aliases().get(a), k -> new ArrayList<>()).add("alias " + a));
        TrafficPolicy p = TrafficPolicies.fromTag(m.tags().get(TrafficPolicies.TAG));
        p.split().forEach(arm -> out.computeIfAbsent(arm.version(), k -> new ArrayList<>()).add("traffic split"));
        p.shadow().forEach(v -> out.computeIfAbsent(v, k -> new ArrayList<>()).add("shadow"));
        return out;
    }

    /** The engine name a version's provenance records ({@code engine.name}), or {@code null}. */
    static String engine(ModelVersion v) {
        return v.provenance().get("engine") instanceof Map<?, ?> e && e.get("name") instanceof String name ? name : null;
    }
}
