package org.cogwork.runtime.internal;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServletRequest;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.cogwork.api.health.HealthCheck;
import org.cogwork.api.health.HealthResult;
import org.cogwork.runtime.rest.JsonServlet;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;
import org.osgi.service.component.runtime.dto.UnsatisfiedReferenceDTO;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletPattern;

/**
 * {@code GET /health}: 200 and {@code "status":"UP"} only when every platform bundle is active, every
 * required component is satisfied and every {@link HealthCheck} is up; otherwise 503 listing the problems.
 * Failures of plugin bundles are listed as warnings and do not make the system DOWN.
 */
@Component(name = "org.cogwork.runtime.health", service = Servlet.class, configurationPid = RuntimeConfig.PID)
@Designate(ocd = RuntimeConfig.class)
@HttpWhiteboardServletPattern("/health")
public class HealthServlet extends JsonServlet {
    private static final long serialVersionUID = 1L;

    private final transient BundleContext ctx;
    private final transient ServiceComponentRuntime scr;
    private final transient Dirs dirs;
    private final transient HeldBack heldBack;
    private final transient List<HealthCheck> checks = new CopyOnWriteArrayList<>();
    private volatile RuntimeConfig config;

    @Activate
    public HealthServlet(BundleContext ctx, @Reference ServiceComponentRuntime scr, RuntimeConfig config) {
        this.ctx = ctx;
        this.scr = scr;
        this.dirs = Dirs.from(ctx);
        this.heldBack = new HeldBack(ctx, dirs);
        this.config = config;
    }

    @Modified
    void modified(RuntimeConfig config) {
        this.config = config;
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void addCheck(HealthCheck check) {
        checks.add(check);
    }

    void removeCheck(HealthCheck check) {
        checks.remove(check);
    }

    @Override
    protected Reply handle(String method, String path, HttpServletRequest req) {
        if (!"GET".equals(method)) {
            throw methodNotAllowed(method, path);
        }
        RuntimeConfig cfg = config;
        List<String> problems = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        boolean safeMode = false;

        for (Bundle b : ctx.getBundles()) {
            String origin = dirs.origin(b.getBundleId(), b.getLocation());
            boolean ok = b.getState() == Bundle.ACTIVE
                    || (BundleDiagnostics.isFragment(b) && b.getState() == Bundle.RESOLVED);
            String held = heldBack.reason(b);
            if (held != null) {
                // a plugin kept from starting is the safe state, not an outage: a warning, the platform stays UP
                safeMode = true;
                warnings.add("SAFE MODE: bundle " + b.getSymbolicName() + " " + b.getVersion() + " (id " + b.getBundleId()
                        + ") is held back (installed, not started): " + held);
            } else if (!ok && ("system".equals(origin) || "framework".equals(origin))) {
                problems.add("platform bundle " + b.getSymbolicName() + " is " + BundleDiagnostics.state(b)
                        + problemSuffix(b));
            } else if (b.getState() == Bundle.INSTALLED) {
                warnings.add("bundle " + b.getSymbolicName() + " " + b.getVersion() + " is not resolved" + problemSuffix(b));
            }
        }

        Collection<ComponentDescriptionDTO> descriptions = scr.getComponentDescriptionDTOs();
        List<String> required = Arrays.asList(cfg.required_components());
        for (String name : required) {
            ComponentDescriptionDTO d = descriptions.stream().filter(x -> name.equals(x.name)).findFirst().orElse(null);
            if (d == null) {
                problems.add("required component " + name + " is not installed");
                continue;
            }
            String why = componentProblem(d);
            if (why != null) {
                problems.add("required component " + name + " " + why);
            }
        }
        int total = 0;
        int active = 0;
        for (ComponentDescriptionDTO d : descriptions) {
            for (ComponentConfigurationDTO c : scr.getComponentConfigurationDTOs(d)) {
                total++;
                if (c.state == ComponentConfigurationDTO.ACTIVE || c.state == ComponentConfigurationDTO.SATISFIED) {
                    active++;
                }
            }
            if (!required.contains(d.name)) {
                String why = componentProblem(d);
                if (why != null && d.defaultEnabled && !d.configurationPolicy.equals("require")) {
                    warnings.add("component " + d.name + " (" + d.bundle.symbolicName + ") " + why);
                }
            }
        }

        List<Map<String, Object>> checkResults = new ArrayList<>();
        for (HealthCheck check : checks) {
            HealthResult r;
            try {
                r = check.check();
            } catch (RuntimeException e) {
                r = HealthResult.down("check failed: " + e);
            }
            checkResults.add(Map.of("name", check.name(), "up", r.up(), "detail", String.valueOf(r.detail())));
            if (!r.up()) {
                problems.add("health check " + check.name() + " is down: " + r.detail());
            }
        }

        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", problems.isEmpty() ? "UP" : "DOWN");
        body.put("safeMode", safeMode);
        body.put("instance", cfg.instance_name());
        body.put("version", ctx.getBundle().getVersion().toString());
        body.put("uptimeMillis", ManagementFactory.getRuntimeMXBean().getUptime());
        body.put("bundles", ctx.getBundles().length);
        body.put("components", Map.of("total", total, "active", active));
        body.put("checks", checkResults);
        body.put("problems", problems);
        body.put("warnings", warnings);
        return new Reply(problems.isEmpty() ? 200 : 503, body);
    }

    private String problemSuffix(Bundle b) {
        String p = BundleDiagnostics.problem(ctx, b);
        return p == null ? "" : " (" + p + ")";
    }

    /** Why a component is not usable, or {@code null} when it is satisfied or active. */
    private String componentProblem(ComponentDescriptionDTO d) {
        if (!scr.isComponentEnabled(d)) {
            return "is disabled";
        }
        Collection<ComponentConfigurationDTO> configs = scr.getComponentConfigurationDTOs(d);
        if (configs.isEmpty()) {
            return "has no configuration";
        }
        for (ComponentConfigurationDTO c : configs) {
            switch (c.state) {
                case ComponentConfigurationDTO.ACTIVE, ComponentConfigurationDTO.SATISFIED -> {
                    continue;
                }
                case ComponentConfigurationDTO.UNSATISFIED_REFERENCE -> {
                    return "is waiting for " + Arrays.stream(c.unsatisfiedReferences)
                            .map(HealthServlet::describe).collect(Collectors.joining(", "));
                }
                case ComponentConfigurationDTO.UNSATISFIED_CONFIGURATION -> {
                    return "is waiting for its configuration";
                }
                case ComponentConfigurationDTO.FAILED_ACTIVATION -> {
                    return "failed to activate: " + c.failure;
                }
                default -> {
                    return "is in state " + c.state;
                }
            }
        }
        return null;
    }

    private static String describe(UnsatisfiedReferenceDTO r) {
        return r.name + (r.target == null ? "" : " " + r.target);
    }
}
