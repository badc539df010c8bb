package org.cogwork.runtime.internal;

import java.util.ArrayList;
import java.util.List;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Filter;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.namespace.PackageNamespace;
import org.osgi.framework.wiring.BundleCapability;
import org.osgi.framework.wiring.BundleRequirement;
import org.osgi.framework.wiring.BundleRevision;
import org.osgi.resource.Namespace;

/** Explains why a bundle does not resolve, in terms a plugin author can act on. */
final class BundleDiagnostics {
    /** Service property of the launcher's resolver hook: the platform packages, {@code x.*} for a prefix. */
    static final String PLATFORM_PACKAGES = "cogwork.platform.packages";

    private BundleDiagnostics() {
    }

    /** States people read, instead of OSGi's bit flags. */
    static String state(Bundle b) {
        return switch (b.getState()) {
            case Bundle.UNINSTALLED -> "UNINSTALLED";
            case Bundle.INSTALLED -> "INSTALLED";
            case Bundle.RESOLVED -> "RESOLVED";
            case Bundle.STARTING -> "STARTING";
            case Bundle.STOPPING -> "STOPPING";
            case Bundle.ACTIVE -> "ACTIVE";
            default -> "UNKNOWN";
        };
    }

    static boolean isFragment(Bundle b) {
        BundleRevision rev = b.adapt(BundleRevision.class);
        return rev != null && (rev.getTypes() & BundleRevision.TYPE_FRAGMENT) != 0;
    }

    /**
     * The mandatory requirements of an unresolved bundle that no installed bundle offers, e.g.
     * {@code osgi.wiring.package (&(osgi.wiring.package=org.example)(version>=1.0.0))}. Empty when every
     * requirement has a candidate (then a provider itself fails to resolve, or a uses-constraint clashes).
     */
    static List<String> missingRequirements(BundleContext ctx, Bundle bundle) {
        BundleRevision rev = bundle.adapt(BundleRevision.class);
        List<String> missing = new ArrayList<>();
        if (rev == null) {
            return missing;
        }
        for (BundleRequirement req : rev.getDeclaredRequirements(null)) {
            if (!resolvesWithBundle(req)) {
                continue;
            }
            String filterText = req.getDirectives().get(Namespace.REQUIREMENT_FILTER_DIRECTIVE);
            if (!hasCandidate(ctx, req.getNamespace(), filterText)) {
                missing.add(req.getNamespace() + (filterText == null ? "" : " " + filterText));
            }
        }
        return missing;
    }

    /**
     * Whether the framework needs {@code req} to resolve the bundle: not an optional one, not a
     * {@code DynamicImport-Package} entry (looked up at class-load time, never at resolution) and not one effective
     * only at run time (e.g. bnd's {@code osgi.service} requirements, {@code effective:=active}).
     */
    static boolean resolvesWithBundle(BundleRequirement req) {
        String resolution = req.getDirectives().get(Namespace.REQUIREMENT_RESOLUTION_DIRECTIVE);
        String effective = req.getDirectives().get(Namespace.REQUIREMENT_EFFECTIVE_DIRECTIVE);
        return !Namespace.RESOLUTION_OPTIONAL.equals(resolution)
                && !PackageNamespace.RESOLUTION_DYNAMIC.equals(resolution)
                && (effective == null || Namespace.EFFECTIVE_RESOLVE.equals(effective));
    }

    private static boolean hasCandidate(BundleContext ctx, String namespace, String filterText) {
        Filter filter;
        try {
            filter = filterText == null ? null : FrameworkUtil.createFilter(filterText);
        } catch (InvalidSyntaxException e) {
            return false;
        }
        for (Bundle other : ctx.getBundles()) {
            BundleRevision r = other.adapt(BundleRevision.class);
            if (r == null) {
                continue;
            }
            for (BundleCapability cap : r.getDeclaredCapabilities(namespace)) {
                if (filter == null || filter.matches(cap.getAttributes())) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * The platform packages (see the launcher's {@code PlatformPackages}: {@code org.cogwork.api.*} and every
     * package a {@code system/} bundle exports) that a bundle from elsewhere exports; the launcher's resolver
     * hook never resolves such a bundle.
     */
    static List<String> platformExports(BundleContext ctx, Bundle b) {
        List<String> taken = new ArrayList<>();
        String origin = Dirs.from(ctx).origin(b.getBundleId(), b.getLocation());
        BundleRevision rev = b.adapt(BundleRevision.class);
        if ("framework".equals(origin) || "system".equals(origin) || rev == null) {
            return taken;
        }
        List<String> platform = new ArrayList<>();
        try {
            ServiceReference<?>[] refs = ctx.getAllServiceReferences(null, "(" + PLATFORM_PACKAGES + "=*)");
            for (ServiceReference<?> ref : refs == null ? new ServiceReference<?>[0] : refs) {
                if (ref.getProperty(PLATFORM_PACKAGES) instanceof String[] names) {
                    platform.addAll(List.of(names));
                }
            }
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
        for (BundleCapability cap : rev.getDeclaredCapabilities(PackageNamespace.PACKAGE_NAMESPACE)) {
            String pkg = String.valueOf(cap.getAttributes().get(PackageNamespace.PACKAGE_NAMESPACE));
            for (String p : platform) {
                boolean match = p.endsWith(".*") ? pkg.equals(p.substring(0, p.length() - 2))
                        || pkg.startsWith(p.substring(0, p.length() - 1)) : pkg.equals(p);
                if (match && !taken.contains(pkg)) {
                    taken.add(pkg);
                }
            }
        }
        return taken;
    }

    /** How long a freshly installed bundle with nothing missing may stay INSTALLED before that is a problem. */
    static final long RESOLVE_GRACE_MILLIS = 5_000;

    /** A one-line explanation for an unresolved bundle. */
    static String problem(BundleContext ctx, Bundle b) {
        List<String> taken = platformExports(ctx, b);
        if (!taken.isEmpty()) {
            return "exports platform package " + String.join(", ", taken)
                    + ", which only the platform (system/) may export: no bundle is wired to it, and it is kept from resolving";
        }
        if (b.getState() != Bundle.INSTALLED) {
            return null;
        }
        List<String> missing = missingRequirements(ctx, b);
        if (!missing.isEmpty()) {
            return "missing requirement: " + String.join("; ", missing);
        }
        // Nothing is missing: either the installer has not asked for a resolve yet (FileInstall installs, then
        // resolves and starts a moment later) or the resolver refused it. Only the latter is a problem.
        if (System.currentTimeMillis() - b.getLastModified() < RESOLVE_GRACE_MILLIS) {
            return null;
        }
        return "cannot be resolved: a bundle it needs does not resolve itself, or uses-constraints conflict";
    }
}
