package org.cogwork.launcher;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.TreeSet;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.hooks.resolver.ResolverHook;
import org.osgi.framework.hooks.resolver.ResolverHookFactory;
import org.osgi.framework.namespace.PackageNamespace;
import org.osgi.framework.wiring.BundleCapability;
import org.osgi.framework.wiring.BundleRequirement;
import org.osgi.framework.wiring.BundleRevision;

/**
 * Keeps the platform's packages the platform's: no bundle is ever wired to a bundle that is not in
 * {@code system/} and exports an {@code org.cogwork.api} package or any package a {@code system/} bundle
 * exports, and such a bundle is not resolved itself, however it was installed (upload, {@code deploy/}, the
 * Gogo shell). Otherwise it could offer, say, {@code org.cogwork.api.engine} at a higher version, and the next
 * refresh would wire the platform's consumers to it. Registered by the launcher before the framework starts, so
 * no resolution happens without it.
 *
 * <p>The service property {@value #PROPERTY} lists the platform packages ({@code org.cogwork.api.*} as a
 * prefix), so the runtime can refuse such uploads up front and explain unresolved bundles.
 */
final class PlatformPackages implements ResolverHookFactory {
    static final String PROPERTY = "cogwork.platform.packages";
    private static final String API = "org.cogwork.api";

    private final String systemPrefix;
    private final Set<String> exported;

    private PlatformPackages(String systemPrefix, Set<String> exported) {
        this.systemPrefix = systemPrefix;
        this.exported = exported;
    }

    /** Registers the hook on the system bundle's context; {@code platform} are the bundles from system/. */
    static void register(BundleContext ctx, String systemPrefix, List<Bundle> platform) {
        Set<String> exported = new TreeSet<>();
        for (Bundle b : platform) {
            BundleRevision rev = b.adapt(BundleRevision.class);
            if (rev != null) {
                for (BundleCapability cap : rev.getDeclaredCapabilities(PackageNamespace.PACKAGE_NAMESPACE)) {
                    exported.add(String.valueOf(cap.getAttributes().get(PackageNamespace.PACKAGE_NAMESPACE)));
                }
            }
        }
        List<String> listed = new ArrayList<>();
        listed.add(API + ".*");
        listed.addAll(exported);
        Dictionary<String, Object> props = new Hashtable<>();
        props.put(PROPERTY, listed.toArray(String[]::new));
        ctx.registerService(ResolverHookFactory.class, new PlatformPackages(systemPrefix, Set.copyOf(exported)), props);
    }

    boolean isPlatform(String pkg) {
        return exported.contains(pkg) || pkg.equals(API) || pkg.startsWith(API + ".");
    }

    private boolean takesPlatformPackage(BundleRevision rev) {
        Bundle b = rev.getBundle();
        if (b.getBundleId() == 0 || b.getLocation().startsWith(systemPrefix)) {
            return false;
        }
        for (BundleCapability cap : rev.getDeclaredCapabilities(PackageNamespace.PACKAGE_NAMESPACE)) {
            if (isPlatform(String.valueOf(cap.getAttributes().get(PackageNamespace.PACKAGE_NAMESPACE)))) {
                return true;
            }
        }
        return false;
    }

    @Override
    public ResolverHook begin(Collection<BundleRevision> triggers) {
        Map<BundleRevision, Boolean> offending = new HashMap<>();
        Predicate<BundleRevision> offends = rev -> offending.computeIfAbsent(rev, this::takesPlatformPackage);
        boolean onlyOffenders = !triggers.isEmpty() && triggers.stream().allMatch(offends);
        return new ResolverHook() {
            @Override
            public void filterResolvable(Collection<BundleRevision> candidates) {
                // Felix 7.0.5 keeps only the unresolved revisions left here as providers once anything is removed
                // (StatefulResolver.findProvidersInternal), so every resolved provider vanishes from that operation:
                // remove only when the operation is for offenders alone (their start), and hide their
                // capabilities below otherwise.
                if (onlyOffenders) {
                    candidates.removeIf(offends);
                }
            }

            @Override
            public void filterSingletonCollisions(BundleCapability singleton, Collection<BundleCapability> collisionCandidates) {
            }

            @Override
            public void filterMatches(BundleRequirement requirement, Collection<BundleCapability> candidates) {
                if (offends.test(requirement.getRevision())) {
                    candidates.clear(); // nothing for an offender's own requirements: it cannot resolve
                } else {
                    candidates.removeIf(cap -> offends.test(cap.getRevision()));
                }
            }

            @Override
            public void end() {
            }
        };
    }
}
