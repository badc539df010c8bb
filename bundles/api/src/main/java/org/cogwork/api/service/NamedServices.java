package org.cogwork.api.service;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.osgi.framework.Bundle;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;

/**
 * Services found by a name (an {@code Engine} by {@code cogwork.engine.name}, a {@code FeatureTransform} by
 * {@code cogwork.transform.name}, a {@code DataSource} by {@code cogwork.source.id}) and the one rule that says
 * which one a name means when several bundles register the same name: <b>the highest {@code service.ranking},
 * then the lowest {@code service.id}</b>, i.e. with equal rankings the first registered. That is OSGi's own order
 * ({@link ServiceReference#compareTo}, {@code BundleContext.getServiceReference}), so any lookup by filter agrees.
 * A later provider of a name is not used while the first is registered (the runtime reports it in
 * {@code /api/bundles} and {@code /health}); when the one in use goes away, the next takes over, so a name
 * never points at nothing while a provider exists. The name is the service property alone: a service registered
 * without it is never used.
 *
 * <p>Every platform consumer (training, evaluation, serving, the pipeline service, sources, the runtime) keeps its
 * services in one of these, so they always agree on what a name means.
 *
 * <pre>{@code
 * private final NamedServices<Engine> engines = new NamedServices<>(Engine.ENGINE_NAME);
 *
 * // a DS reference: cardinality MULTIPLE, policy DYNAMIC, policyOption GREEDY, updated = "updatedEngine"
 * void bindEngine(ServiceReference<Engine> ref, Engine e) { engines.add(ref, e); }
 * void updatedEngine(ServiceReference<Engine> ref) { engines.modified(ref); }
 * void unbindEngine(ServiceReference<Engine> ref) { engines.remove(ref); }
 * ... engines.get("tribuo") ...
 * }</pre>
 *
 * <p>Thread-safe: changes are serialised, lookups read an immutable snapshot without locking.
 *
 * @param <S> the service type
 * @since 0.1
 */
public final class NamedServices<S> {
    /** Who comes first for one name: the one in use, then the ones that would take over, in order. */
    public static final Comparator<ServiceReference<?>> ORDER = Comparator
            .comparingInt((ServiceReference<?> r) -> ranking(r)).reversed()
            .thenComparingLong(NamedServices::id);

    private final String nameProperty;
    private final List<Entry<S>> entries = new ArrayList<>();
    private volatile Map<String, Entry<S>> inUse = Map.of();
    private long added;

    /** One registration: its key (a reference, or the service outside OSGi) and what was read from it. */
    private record Entry<S>(Object key, String name, int ranking, long id, S service) {
    }

    /** @param nameProperty the service property holding the name, e.g. {@code Engine.ENGINE_NAME} */
    public NamedServices(String nameProperty) {
        this.nameProperty = Objects.requireNonNull(nameProperty, "nameProperty");
    }

    /**
     * Adds a registered service under the name its {@code nameProperty} holds.
     *
     * @return the names whose service in use changed (empty when {@code service} is not used)
     */
    public synchronized Set<String> add(ServiceReference<?> ref, S service) {
        Map<String, Entry<S>> before = inUse;
        entries.removeIf(e -> e.key().equals(ref));
        entries.add(new Entry<>(ref, name(ref, nameProperty), ranking(ref), id(ref), service));
        return update(before);
    }

    /**
     * Adds a service outside OSGi (tools, tests): ranking 0, ordered after every service added before.
     *
     * @return the names whose service in use changed
     */
    public synchronized Set<String> add(String name, S service) {
        Map<String, Entry<S>> before = inUse;
        entries.removeIf(e -> e.key() == service);
        entries.add(new Entry<>(service, name, 0, ++added, service));
        return update(before);
    }

    /** Reads the name and ranking of {@code ref} again (its properties changed); returns the names whose service in use changed. */
    public synchronized Set<String> modified(ServiceReference<?> ref) {
        for (Entry<S> e : entries) {
            if (e.key().equals(ref)) {
                return add(ref, e.service());
            }
        }
        return Set.of();
    }

    /** Removes the registration of {@code ref}; returns the names whose service in use changed. */
    public synchronized Set<String> remove(ServiceReference<?> ref) {
        Map<String, Entry<S>> before = inUse;
        entries.removeIf(e -> e.key().equals(ref));
        return update(before);
    }

    /** Removes a service added with {@link #add(String, Object)}; returns the names whose service in use changed. */
    public synchronized Set<String> remove(S service) {
        Map<String, Entry<S>> before = inUse;
        entries.removeIf(e -> e.key() == service);
        return update(before);
    }

    /** The service {@code name} means, or {@code null} when no service has that name. */
    public S get(String name) {
        Entry<S> e = name == null ? null : inUse.get(name);
        return e == null ? null : e.service();
    }

    /** The names in use, sorted. */
    public Set<String> names() {
        return Collections.unmodifiableSet(new TreeSet<>(inUse.keySet()));
    }

    /** The service each name means, sorted by name. */
    public Map<String, S> inUse() {
        Map<String, S> out = new TreeMap<>();
        inUse.forEach((k, v) -> out.put(k, v.service()));
        return Collections.unmodifiableMap(out);
    }

    /** Whether {@code service} is the one its name means (a later provider of a taken name is not). */
    public boolean isInUse(S service) {
        for (Entry<S> e : inUse.values()) {
            if (e.service() == service) {
                return true;
            }
        }
        return false;
    }

    private Set<String> update(Map<String, Entry<S>> before) {
        Map<String, Entry<S>> after = new LinkedHashMap<>();
        for (Entry<S> e : entries) {
            if (e.name() == null) {
                continue;
            }
            after.merge(e.name(), e, (a, b) -> first(a, b));
        }
        inUse = Map.copyOf(after);
        Set<String> changed = new TreeSet<>();
        for (String n : before.keySet()) {
            Entry<S> a = after.get(n);
            if (a == null || a != before.get(n)) {
                changed.add(n);
            }
        }
        for (String n : after.keySet()) {
            if (!before.containsKey(n)) {
                changed.add(n);
            }
        }
        return changed;
    }

    private static <S> Entry<S> first(Entry<S> a, Entry<S> b) {
        if (a.ranking() != b.ranking()) {
            return a.ranking() > b.ranking() ? a : b;
        }
        return a.id() <= b.id() ? a : b;
    }

    // --- the rule over plain references, for those who only look (the runtime's reports) ---

    /**
     * References grouped by the name {@code nameProperty} holds, each group in {@link #ORDER} (the first is the one
     * in use), names sorted; references without the property are left out.
     */
    public static <R extends ServiceReference<?>> Map<String, List<R>> byName(Collection<R> refs, String nameProperty) {
        Map<String, List<R>> out = new TreeMap<>();
        for (R r : refs) {
            String n = name(r, nameProperty);
            if (n != null) {
                out.computeIfAbsent(n, k -> new ArrayList<>()).add(r);
            }
        }
        out.values().forEach(l -> l.sort(ORDER));
        return out;
    }

    /**
     * The sentence for a provider that is not used, the same wherever it is shown: {@code engine name 'tribuo' is
     * already provided by bundle org.cogwork.engine.tribuo 0.1.0; this one is not used}.
     *
     * @param what what the name names, e.g. {@code "engine name"}, {@code "transform name"}, {@code "data source"}
     * @param inUse the reference in use for that name
     */
    public static String notUsed(String what, String name, ServiceReference<?> inUse) {
        return what + " '" + name + "' is already provided by " + provider(inUse) + "; this one is not used";
    }

    /** {@code bundle <symbolic name> <version>} of the bundle that registered {@code ref}, or {@code a service that is gone}. */
    public static String provider(ServiceReference<?> ref) {
        Bundle b = ref.getBundle();
        return b == null ? "a service that is gone" : "bundle " + b.getSymbolicName() + " " + b.getVersion();
    }

    /** The name {@code ref} is registered under: the property's value as a string, or {@code null} when absent or blank. */
    public static String name(ServiceReference<?> ref, String nameProperty) {
        Object v = ref.getProperty(nameProperty);
        if (v instanceof String[] a) {
            v = a.length == 0 ? null : a[0];
        } else if (v instanceof Collection<?> c) {
            v = c.isEmpty() ? null : c.iterator().next();
        }
        String s = v == null ? null : String.valueOf(v).trim();
        return s == null || s.isEmpty() ? null : s;
    }

    private static int ranking(ServiceReference<?> r) {
        return r.getProperty(Constants.SERVICE_RANKING) instanceof Integer i ? i : 0;
    }

    private static long id(ServiceReference<?> r) {
        return r.getProperty(Constants.SERVICE_ID) instanceof Long l ? l : Long.MAX_VALUE;
    }
}
