package org.cogwork.runtime.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.cogwork.api.connector.DataSource;
import org.cogwork.api.engine.Engine;
import org.cogwork.api.feature.FeatureTransform;
import org.cogwork.api.service.NamedServices;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;

/**
 * Engines, transforms and data sources registered under a name another bundle provides already, so not used
 * (the rule is {@link NamedServices}'s, applied here to the live registry, so what this reports is what training,
 * serving and the pipeline service do), and those registered without a name at all. Shown as the bundle's
 * {@code problem} in {@code /api/bundles} and as {@code /health} warnings.
 */
final class NameClaims {
    /** One unused registration: the bundle that made it and why it is not used. */
    record Claim(Bundle bundle, String why) {
    }

    private record Kind(Class<?> type, String property, String what) {
    }

    private static final List<Kind> KINDS = List.of(
            new Kind(Engine.class, Engine.ENGINE_NAME, "engine name"),
            new Kind(FeatureTransform.class, FeatureTransform.TRANSFORM_NAME, "transform name"),
            new Kind(DataSource.class, DataSource.SOURCE_ID, "data source"));

    private NameClaims() {
    }

    static List<Claim> unused(BundleContext ctx) {
        List<Claim> out = new ArrayList<>();
        for (Kind k : KINDS) {
            List<ServiceReference<?>> refs = references(ctx, k.type());
            for (Map.Entry<String, List<ServiceReference<?>>> e : NamedServices.byName(refs, k.property()).entrySet()) {
                List<ServiceReference<?>> group = e.getValue();
                for (ServiceReference<?> later : group.subList(1, group.size())) {
                    if (later.getBundle() != null) {
                        out.add(new Claim(later.getBundle(), NamedServices.notUsed(k.what(), e.getKey(), group.get(0))));
                    }
                }
            }
            for (ServiceReference<?> r : refs) {
                if (NamedServices.name(r, k.property()) == null && r.getBundle() != null) {
                    out.add(new Claim(r.getBundle(), "registers a " + k.type().getSimpleName() + " without the "
                            + k.property() + " property; it is never used"));
                }
            }
        }
        return out;
    }

    /** Why some of {@code b}'s services are not used, in one line, or {@code null}. */
    static String problem(BundleContext ctx, Bundle b) {
        List<String> why = unused(ctx).stream().filter(c -> c.bundle().getBundleId() == b.getBundleId()).map(Claim::why).toList();
        return why.isEmpty() ? null : String.join("; ", why);
    }

    /** The {@code /health} warnings: one per unused registration, naming its bundle. */
    static List<String> warnings(BundleContext ctx) {
        return unused(ctx).stream().map(c -> "bundle " + c.bundle().getSymbolicName() + " " + c.bundle().getVersion()
                + " (id " + c.bundle().getBundleId() + "): " + c.why()).toList();
    }

    private static List<ServiceReference<?>> references(BundleContext ctx, Class<?> type) {
        try {
            ServiceReference<?>[] refs = ctx.getAllServiceReferences(type.getName(), null);
            return refs == null ? List.of() : Arrays.asList(refs);
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
