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
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.cogwork.api.security.Accounts;
import org.cogwork.api.security.Principal;
import org.cogwork.api.security.Role;
import org.cogwork.runtime.rest.Principals;
import org.cogwork.runtime.rest.Reply;
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
    private final transient Failures failures;
    private final transient List<HealthCheck> checks = new CopyOnWriteArrayList<>();
    private transient volatile Accounts accounts;
    private volatile RuntimeConfig config;

    @Activate
    public HealthServlet(BundleContext ctx, @Reference ServiceComponentRuntime scr, @Reference Failures failures,
            RuntimeConfig config) {
        this.ctx = ctx;
        this.scr = scr;
        this.failures = failures;
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

    /** Every path but /health needs a signed-in caller: without the accounts service the platform is not usable. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void setAccounts(Accounts a) {
        accounts = a;
    }

    void unsetAccounts(Accounts a) {
        if (accounts == a) {
            accounts = null;
        }
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
            } else if (failures.activatorFailure(b) != null) {
                warnings.add("bundle " + b.getSymbolicName() + " " + b.getVersion() + " (id " + b.getBundleId()
                        + ") is not active" + problemSuffix(b));
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
            // Nothing in Cogwork disables a component: a default-enabled one that is not enabled is in the moment
            // SCR is still enabling its bundle's components (CI saw DJL's health check there, 5 s after start).
            // That is start-up, not worth a warning; a required component in that state is a problem (above).
            // A component whose configuration policy is "require" and that has none (an S3 storage nobody configured)
            // is not in use, not failing; once configured, each configuration that fails is a warning naming it.
            if (!required.contains(d.name) && scr.isComponentEnabled(d) && d.defaultEnabled) {
                for (String why : configurationProblems(d)) {
                    warnings.add("component " + d.name + " (" + d.bundle.symbolicName + ") " + why);
                }
            }
        }

        warnings.addAll(NameClaims.warnings(ctx)); // engines, transforms, sources whose name another bundle has
        warnings.addAll(failures.configurationFailures());

        if (accounts == null) {
            problems.add("sign-in is not available: no accounts service yet (the metadata store is starting or failed)");
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
            try {
                warnings.addAll(check.warnings());
            } catch (RuntimeException e) {
                warnings.add("health check " + check.name() + " could not list its warnings: " + e);
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
        int status = problems.isEmpty() ? 200 : 503;
        Principal caller = Principals.of(req);
        if (caller == null || !caller.mayUse(Set.of(Role.DATA_SCIENTIST))) {
            // anonymous callers (load balancers) and roles without platform rights get the status only
            return new Reply(status, Map.of("status", body.get("status")));
        }
        return new Reply(status, body);
    }

    private String problemSuffix(Bundle b) {
        String p = failures.problem(b);
        return p == null ? "" : " (" + p + ")";
    }

    /** Why a component is not usable, or {@code null} when it is satisfied or active. */
    private String componentProblem(ComponentDescriptionDTO d) {
        if (!scr.isComponentEnabled(d)) {
            return "is not enabled (yet)";
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
                    return "failed to activate: " + cause(c.failure);
                }
                default -> {
                    return "is in state " + c.state;
                }
            }
        }
        return null;
    }

    /**
     * Why each configuration of a component is not usable, naming the configuration (PID and the file it came from)
     * when there is one; empty when all are satisfied or active, or when a component that requires a configuration
     * has none.
     */
    private List<String> configurationProblems(ComponentDescriptionDTO d) {
        List<String> out = new ArrayList<>();
        for (ComponentConfigurationDTO c : scr.getComponentConfigurationDTOs(d)) {
            String why = switch (c.state) {
                case ComponentConfigurationDTO.ACTIVE, ComponentConfigurationDTO.SATISFIED -> null;
                case ComponentConfigurationDTO.UNSATISFIED_REFERENCE -> "is waiting for " + Arrays.stream(c.unsatisfiedReferences)
                        .map(HealthServlet::describe).collect(Collectors.joining(", "));
                case ComponentConfigurationDTO.UNSATISFIED_CONFIGURATION -> "is waiting for its configuration";
                case ComponentConfigurationDTO.FAILED_ACTIVATION -> "failed to activate: " + cause(c.failure);
                default -> "is in state " + c.state;
            };
            if (why != null) {
                out.add(configurationOf(c) + why);
            }
        }
        if (out.isEmpty() && scr.getComponentConfigurationDTOs(d).isEmpty() && !"require".equals(d.configurationPolicy)) {
            out.add("has no configuration");
        }
        return out;
    }

    /** "with configuration PID (from config/FILE) " for a configured component, else nothing. */
    private static String configurationOf(ComponentConfigurationDTO c) {
        Object pid = c.properties == null ? null : c.properties.get("service.pid");
        if (pid == null) {
            return "";
        }
        Object file = c.properties.get("felix.fileinstall.filename");
        String from = "";
        if (file != null) {
            String f = String.valueOf(file);
            int slash = f.lastIndexOf('/');
            from = " from config/" + (slash >= 0 ? f.substring(slash + 1) : f);
        }
        return "with configuration " + (pid instanceof String[] a ? String.join(", ", a) : String.valueOf(pid)) + from + " ";
    }

    /**
     * The exception that made an activation fail, from SCR's failure text (a stack trace): the last "Caused by"
     * (the activator's own exception, not SCR's InvocationTargetException wrapper), else its first line.
     */
    static String cause(String failure) {
        if (failure == null || failure.isBlank()) {
            return "(no reason given)";
        }
        String found = null;
        for (String line : failure.split("\\R")) {
            if (line.startsWith("Caused by: ")) {
                found = line.substring("Caused by: ".length());
            }
        }
        return Failures.unwrapped(found != null ? found : failure.split("\\R", 2)[0].strip());
    }

    private static String describe(UnsatisfiedReferenceDTO r) {
        return r.name + (r.target == null ? "" : " " + r.target);
    }
}
