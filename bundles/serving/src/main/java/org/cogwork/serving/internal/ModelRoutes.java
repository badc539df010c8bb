package org.cogwork.serving.internal;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.cogwork.api.problem.NotFoundException;
import org.cogwork.api.registry.ModelRegistry;
import org.cogwork.api.registry.ModelVersion;
import org.cogwork.api.registry.RegisteredModel;
import org.cogwork.api.serving.TrafficPolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What serving needs to route a request, per model, held in memory so that predict reads no database: the
 * model's aliases, its versions (with the run artifact each is loaded from), its traffic policy and its serving
 * options.
 *
 * <p>Freshness: a change made through this node is seen by the very next request (each route remembers the
 * registry's {@link ModelRegistry#localChanges()} count it was read at, and a request finding the count moved re-reads
 * the model first; Event Admin's delivery is asynchronous, so an event would leave a window in which a client that
 * moved an alias still gets the old version). A change made by another node sharing the metadata store is seen within
 * {@value #REFRESH_MILLIS} ms plus one read: a background thread re-reads every route in use once per interval, so no
 * request waits on it. Routes unused for {@value #IDLE_MILLIS} ms are dropped and read again on their next request.
 */
final class ModelRoutes implements AutoCloseable {
    static final long REFRESH_MILLIS = 1000;
    static final long IDLE_MILLIS = 60_000;
    private static final Logger LOG = LoggerFactory.getLogger(ModelRoutes.class);

    /** One model's routing, as read at registry count {@code stamp}. */
    record Route(String model, Map<String, Integer> aliases, Map<Integer, ModelVersion> versions, TrafficPolicy policy,
                 ServingOptions options, long stamp) {
        /** The version an alias names, or explicit version, or 404 naming what is missing. */
        ModelVersion version(String alias, Integer version) {
            if (version != null) {
                ModelVersion v = versions.get(version);
                if (v == null) {
                    throw new NotFoundException("model '" + model + "' has no version " + version);
                }
                return v;
            }
            String a = alias == null || alias.isBlank() ? ModelRegistry.DEFAULT_ALIAS : alias;
            Integer n = aliases.get(a);
            ModelVersion v = n == null ? null : versions.get(n);
            if (v == null) {
                throw new NotFoundException("model '" + model + "' has no alias '" + a + "'; point it at a version first");
            }
            return v;
        }
    }

    private static final class Entry {
        volatile Route route;
        volatile long usedMillis = System.currentTimeMillis();
    }

    private final ModelRegistry registry;
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    private final ScheduledExecutorService refresher = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "cogwork-serving-routes");
        t.setDaemon(true);
        return t;
    });

    ModelRoutes(ModelRegistry registry) {
        this.registry = registry;
        refresher.scheduleWithFixedDelay(this::refresh, REFRESH_MILLIS, REFRESH_MILLIS, TimeUnit.MILLISECONDS);
    }

    /**
     * The model's route, from memory unless this node changed a model since it was read (or it was never read).
     *
     * @throws NotFoundException when no such model is registered
     */
    Route get(String model) {
        long stamp = registry.localChanges();
        Entry e = entries.get(model);
        if (e != null) {
            e.usedMillis = System.currentTimeMillis();
            Route r = e.route;
            if (r != null && r.stamp() == stamp) {
                return r;
            }
        } else {
            e = entries.computeIfAbsent(model, k -> new Entry());
        }
        synchronized (e) { // one read per model at a time; the others wait for it and use it
            Route r = e.route;
            if (r != null && r.stamp() >= stamp) {
                return r;
            }
            try {
                r = read(model, stamp);
            } catch (NotFoundException gone) {
                entries.remove(model, e);
                throw gone;
            }
            e.route = r;
            return r;
        }
    }

    /** Reads the model afresh; the count is taken before the read, so a write racing with it is read again later. */
    private Route read(String model, long stamp) {
        RegisteredModel m = registry.model(model).orElseThrow(() -> new NotFoundException("no registered model '" + model + "'"));
        List<ModelVersion> versions = registry.versions(model);
        return new Route(model, Map.copyOf(m.aliases()),
                versions.stream().collect(Collectors.toUnmodifiableMap(ModelVersion::version, Function.identity())),
                TrafficPolicies.fromTag(m.tags().get(TrafficPolicies.TAG)), ServingOptions.fromTag(m.tags().get(ServingOptions.TAG)),
                stamp);
    }

    /** Forgets a model's route (deleted models); its next request reads it again. */
    void forget(String model) {
        entries.remove(model);
    }

    /** Re-reads every route in use (other nodes' changes), drops idle ones. */
    private void refresh() {
        long now = System.currentTimeMillis();
        entries.forEach((model, e) -> {
            if (now - e.usedMillis > IDLE_MILLIS) {
                entries.remove(model, e);
                return;
            }
            long stamp = registry.localChanges();
            try {
                Route r = read(model, stamp);
                synchronized (e) {
                    Route old = e.route;
                    if (old == null || old.stamp() <= stamp) {
                        e.route = r;
                    }
                }
            } catch (NotFoundException gone) {
                entries.remove(model, e);
            } catch (RuntimeException ex) {
                // the store is briefly unreachable: keep serving what we know, try again next interval
                LOG.debug("Could not refresh the route of {}: {}", model, ex.toString());
            }
        });
    }

    @Override
    public void close() {
        refresher.shutdownNow();
    }
}
