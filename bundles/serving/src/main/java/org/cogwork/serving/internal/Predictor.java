package org.cogwork.serving.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.NoSuchElementException;
import java.util.concurrent.ConcurrentHashMap;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import org.cogwork.api.engine.Engine;
import org.cogwork.api.data.Row;
import org.cogwork.api.engine.Prediction;
import org.cogwork.api.event.Events;
import org.cogwork.api.event.Topics;
import org.cogwork.api.feature.FeaturePipelineService;
import org.cogwork.api.problem.ApiException;
import org.cogwork.api.problem.ServiceUnavailableException;
import org.cogwork.api.problem.InvalidFieldException;
import org.cogwork.api.problem.NotFoundException;
import org.cogwork.api.registry.ModelRegistry;
import org.cogwork.api.registry.ModelVersion;
import org.cogwork.api.serving.PredictionResponse;
import org.cogwork.api.serving.PredictionService;
import org.cogwork.api.serving.TrafficPolicy;
import org.cogwork.api.serving.TrafficPolicyService;
import org.cogwork.api.service.NamedServices;
import org.cogwork.api.tracking.ExperimentTracker;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventAdmin;
import org.osgi.service.event.EventConstants;
import org.osgi.service.event.EventHandler;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Predicts with registered model versions: resolves the alias (default {@code production}), traffic policy or version
 * from memory ({@link ModelRoutes}: no database on the hot path), loads the version's {@code model.zip} from its run's
 * artifacts once per version (a future per version, so a slow load delays only the requests for that version; at
 * most {@code cache.size} versions stay loaded, least recently used leave first; a version that leaves is closed
 * once the requests running on it have finished), predicts (in batches when the model's {@link ServingOptions} say
 * so), and journals every prediction before its id goes back to the caller, who can send feedback on it. Loading and unloading a version are announced as {@link Topics#MODEL_LOADED}
 * and {@link Topics#MODEL_UNLOADED}, setting or clearing a traffic policy as {@link Topics#TRAFFIC_CHANGED}.
 */
@Component(service = {PredictionService.class, TrafficPolicyService.class, Predictor.class, EventHandler.class},
        configurationPid = ServingConfig.PID, property = EventConstants.EVENT_TOPIC + "=" + Topics.MODEL_DELETED)
@Designate(ocd = ServingConfig.class)
public class Predictor implements PredictionService, TrafficPolicyService, EventHandler {
    private static final Logger LOG = LoggerFactory.getLogger(Predictor.class);
    private final ModelRegistry registry;
    private final ExperimentTracker tracker;
    private final FeaturePipelineService pipelines;
    /** By engine name, one provider per name, as training decides it (see {@link NamedServices}). */
    private final NamedServices<Engine> engines = new NamedServices<>(Engine.ENGINE_NAME);
    private final Map<String, VersionStats> stats = new ConcurrentHashMap<>();
    /** Loaded versions by {@code name@version}: each loaded once, by the first request that needs it (see {@link #acquire}). */
    private final Map<String, Slot> loaded = new ConcurrentHashMap<>();
    private final int cacheSize;
    private final ModelRoutes routes;
    private final Map<String, Batcher> batchers = new ConcurrentHashMap<>();
    private final PredictionJournal journal;
    private final MeterRegistry meters;
    private final List<Meter> ownMeters;
    final int maxRows;
    final long maxBodyBytes;
    private final java.util.concurrent.ThreadPoolExecutor shadows = new java.util.concurrent.ThreadPoolExecutor(1, 1, 0,
            java.util.concurrent.TimeUnit.SECONDS, new java.util.concurrent.ArrayBlockingQueue<>(1000), r -> {
                Thread t = new Thread(r, "cogwork-shadow");
                t.setDaemon(true);
                return t;
            });
    private final java.util.concurrent.atomic.AtomicLong shadowDropped = new java.util.concurrent.atomic.AtomicLong();
    /** Notified whenever an engine comes or changes, for requests waiting for one (see {@link #engine}). */
    private final Object engineChanges = new Object();
    /** Set when this instance is deactivated (serving reconfigured or stopping): requests still on it end at once. */
    private volatile boolean stopped;
    private final java.util.concurrent.atomic.AtomicLong useClock = new java.util.concurrent.atomic.AtomicLong();

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    volatile EventAdmin events;

    /** A version being loaded or loaded: requests for it wait on the one future instead of on each other. */
    private final class Slot {
        final java.util.concurrent.CompletableFuture<LoadedModel> model = new java.util.concurrent.CompletableFuture<>();
        volatile long used = useClock.incrementAndGet();

        /** The loaded model, or null while it is still loading. */
        LoadedModel now() {
            return model.isDone() && !model.isCompletedExceptionally() ? model.join() : null;
        }
    }

    private static final long ENGINE_WAIT_MS = 10_000;

    @Activate
    public Predictor(ServingConfig config, @Reference ModelRegistry registry, @Reference ExperimentTracker tracker,
                     @Reference FeaturePipelineService pipelines, @Reference PredictionJournal journal,
                     @Reference MeterRegistry meters) {
        this.registry = registry;
        this.tracker = tracker;
        this.pipelines = pipelines;
        this.maxRows = Math.min(config.max_rows(), PredictionIds.MAX_ROWS); // a request's ids number its rows in 16 bits
        this.maxBodyBytes = config.max_body_bytes();
        this.cacheSize = Math.max(1, config.cache_size());
        this.routes = new ModelRoutes(registry);
        this.journal = journal;
        this.meters = meters;
        this.ownMeters = List.of(
                FunctionCounter.builder("cogwork.predict.shadow.dropped", shadowDropped, java.util.concurrent.atomic.AtomicLong::get)
                        .description("shadow predictions not made because the shadow queue was full").register(meters),
                Gauge.builder("cogwork.serving.loaded.models", loaded, Map::size)
                        .description("model versions loaded in memory on this node").register(meters));
    }

    /** The meters of {@code model@version}, made on its first request and kept (the hot path looks up nothing else). */
    private VersionStats stats(String model, int version) {
        return stats.computeIfAbsent(model + "@" + version, k -> new VersionStats(meters, model, version));
    }

    @Deactivate
    void deactivate() {
        stopped = true;
        engineChanged(); // a request waiting for an engine gives up: this instance will get none
        routes.close();
        shadows.shutdownNow();
        batchers.clear();
        ownMeters.forEach(meters::remove);
        stats.values().forEach(VersionStats::remove);
        stats.clear();
        retire((key, m) -> true, Topics.REASON_STOPPED);
    }

    /** Announces that the version cached under {@code key} ({@code name@version}) left the cache. */
    private void unloaded(String key, String reason) {
        int at = key.lastIndexOf('@');
        Events.post(events, Topics.MODEL_UNLOADED, Map.of(Topics.MODEL_NAME, key.substring(0, at),
                Topics.MODEL_VERSION, Integer.parseInt(key.substring(at + 1)), Topics.REASON, reason));
    }

    @Reference(service = Engine.class, cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, updated = "updatedEngine")
    void bindEngine(ServiceReference<Engine> ref, Engine e) {
        retireEngines(engines.add(ref, e));
        engineChanged();
    }

    void updatedEngine(ServiceReference<Engine> ref) {
        retireEngines(engines.modified(ref));
        engineChanged();
    }

    private void engineChanged() {
        synchronized (engineChanges) {
            engineChanges.notifyAll();
        }
    }

    void unbindEngine(ServiceReference<Engine> ref) {
        retireEngines(engines.remove(ref));
    }

    /**
     * Models of an engine name whose engine changes (the one in use left, was updated or removed, or was outranked)
     * leave at once, so new requests reload them from bytes through its successor; each is closed once the requests
     * already running on it have finished. A second provider of a
     * name that is not used changes nothing.
     */
    private void retireEngines(java.util.Set<String> names) {
        if (!names.isEmpty()) {
            retire((key, m) -> names.contains(m.manifest().engine()), Topics.REASON_ENGINE_GONE);
        }
    }

    /**
     * Takes the loaded versions {@code which} accepts (by key and model) out of service and announces them with
     * {@code reason}; each is closed once the requests already running on it have finished.
     */
    private void retire(java.util.function.BiPredicate<String, LoadedModel> which, String reason) {
        loaded.forEach((key, slot) -> {
            LoadedModel m = slot.now();
            if (m != null && which.test(key, m) && loaded.remove(key, slot)) {
                batchers.remove(key);
                m.retire();
                unloaded(key, reason);
            }
        });
    }

    /** Whether a cache or stats key ({@code name@version}; a name may itself contain '@') is of {@code name}, and of {@code version} unless it is null. */
    private static boolean isOf(String key, String name, Object version) {
        int at = key.lastIndexOf('@');
        return at == name.length() && key.startsWith(name) && (version == null || key.substring(at + 1).equals(version.toString()));
    }

    /** The engine names serving can load models with now (no waiting), sorted. */
    java.util.Set<String> engineNames() {
        return engines.names();
    }

    /**
     * The engine a model needs; while an engine bundle is being replaced it is briefly absent, so wait for it
     * (bounded, woken when an engine arrives) rather than fail the request.
     */
    private Engine engine(String name) {
        long deadline = System.nanoTime() + ENGINE_WAIT_MS * 1_000_000;
        synchronized (engineChanges) {
            Engine e = engines.get(name);
            for (long left = deadline - System.nanoTime(); e == null && left > 0 && !stopped; left = deadline - System.nanoTime()) {
                try {
                    engineChanges.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return null;
                }
                e = engines.get(name);
            }
            return e;
        }
    }

    /** The version an alias (default production) or explicit version names, from memory (see {@link ModelRoutes}). */
    ModelVersion resolve(String model, String alias, Integer version) {
        return routes.get(model).version(alias, version);
    }

    /**
     * The loaded model of a version, held for the caller, who must {@link LoadedModel#release()} it. The first
     * request for a version loads it (reading its {@code model.zip} and waiting for its engine); concurrent requests
     * for the same version wait for that load, requests for other versions do not wait at all.
     */
    LoadedModel acquire(ModelVersion v) {
        String key = v.modelName() + "@" + v.version();
        while (true) {
            Slot slot = loaded.get(key);
            if (slot == null) {
                Slot mine = new Slot();
                slot = loaded.putIfAbsent(key, mine);
                if (slot == null) {
                    slot = mine;
                    load(v, key, mine);
                }
            }
            LoadedModel m;
            try {
                m = slot.model.join();
            } catch (java.util.concurrent.CompletionException e) {
                throw e.getCause() instanceof RuntimeException re ? re : e;
            }
            slot.used = useClock.incrementAndGet();
            if (m.acquire()) {
                return m;
            }
            loaded.remove(key, slot); // retired while we looked: load it again
        }
    }

    /** Loads a version into its slot; a failure is every waiter's answer, and the next request tries again. */
    private void load(ModelVersion v, String key, Slot slot) {
        LoadedModel m;
        try {
            String source = v.source();
            int at = source == null ? -1 : source.indexOf("/artifacts/");
            if (v.runId() == null || at < 0) {
                throw unservable(new IllegalStateException("version " + v.version() + " of '" + v.modelName()
                        + "' does not point at a run artifact: " + source));
            }
            try (InputStream in = tracker.openArtifact(v.runId(), source.substring(at + "/artifacts/".length()))) {
                m = LoadedModel.load(in, this::engine, pipelines);
            } catch (IOException e) {
                if (stopped) {
                    throw restarting();
                }
                throw unservable(new IllegalStateException("version " + v.version() + " of '" + v.modelName() + "' cannot be loaded: "
                        + e.getMessage(), e));
            } catch (NoSuchElementException e) {
                throw new NotFoundException("version " + v.version() + " of '" + v.modelName() + "': " + e.getMessage());
            } catch (UncheckedIOException | IllegalStateException e) {
                throw unservable(new IllegalStateException("version " + v.version() + " of '" + v.modelName() + "' cannot be loaded: "
                        + e.getMessage(), e));
            }
        } catch (RuntimeException | Error e) {
            loaded.remove(key, slot);
            slot.model.completeExceptionally(e);
            throw e;
        }
        slot.model.complete(m);
        Events.post(events, Topics.MODEL_LOADED, Map.of(Topics.MODEL_NAME, v.modelName(), Topics.MODEL_VERSION, v.version(),
                Topics.ENGINE_NAME, m.manifest().engine()));
        retireUnrouted(v);
        evictOverflow(key);
    }

    /** Beyond {@code cache.size} loaded versions, the least recently used ones (other than {@code keep}) leave. */
    private void evictOverflow(String keep) {
        while (loaded.size() > cacheSize) {
            String eldest = null;
            long oldest = Long.MAX_VALUE;
            for (Map.Entry<String, Slot> e : loaded.entrySet()) {
                if (!e.getKey().equals(keep) && e.getValue().now() != null && e.getValue().used < oldest) {
                    oldest = e.getValue().used;
                    eldest = e.getKey();
                }
            }
            if (eldest == null) {
                return;
            }
            String victim = eldest;
            retire((key, m) -> key.equals(victim), Topics.REASON_EVICTED);
        }
    }

    /**
     * When a version of a model is loaded, the model's other loaded versions that no alias and no traffic policy
     * routes to any more leave: after an alias moved to a new version, the old one would otherwise hold its memory
     * (tens of MB for a forest or a large vocabulary) until the cache overflows. A request naming such a version
     * loads it again. Requests already running on it finish first.
     */
    private void retireUnrouted(ModelVersion loading) {
        String name = loading.modelName();
        if (loaded.keySet().stream().noneMatch(k -> isOf(k, name, null) && !k.equals(name + "@" + loading.version()))) {
            return;
        }
        ModelRoutes.Route r;
        try {
            r = routes.get(name);
        } catch (NotFoundException gone) {
            return;
        }
        java.util.Set<Integer> routed = new java.util.HashSet<>(r.aliases().values());
        r.policy().split().forEach(a -> routed.add(a.version()));
        routed.addAll(r.policy().shadow());
        routed.add(loading.version());
        retire((key, m) -> isOf(key, name, null) && !routed.contains(Integer.parseInt(key.substring(name.length() + 1))),
                Topics.REASON_EVICTED);
    }

    @Override
    public PredictionResponse predict(String modelName, String aliasOrNull, Integer versionOrNull, String callerKey,
                                      List<Map<String, Object>> rows) {
        if (rows == null || rows.isEmpty()) {
            throw new InvalidFieldException("rows", "rows: send at least one row");
        }
        if (rows.size() > maxRows) {
            throw new InvalidFieldException("rows", "rows: at most " + maxRows + " rows per request, got " + rows.size());
        }
        if (stopped) {
            throw restarting();
        }
        journal.admit();
        ModelRoutes.Route route = routes.get(modelName);
        TrafficPolicy policy = aliasOrNull == null && versionOrNull == null ? route.policy() : TrafficPolicy.NONE;
        Integer chosen = versionOrNull != null ? versionOrNull : policy.choose(callerKey);
        ModelVersion v = route.version(aliasOrNull, chosen);
        VersionStats s = stats(v.modelName(), v.version());
        long t0 = System.nanoTime();
        List<Prediction> predictions = predict(v, route.options(), rows, s);
        long nanos = System.nanoTime() - t0;
        long micros = nanos / 1000;
        s.success(rows.size(), nanos);
        long millis = System.currentTimeMillis();
        UUID base = PredictionIds.next(millis);
        List<PredictionResponse.Item> items = new ArrayList<>(rows.size());
        for (int i = 0; i < rows.size(); i++) {
            items.add(new PredictionResponse.Item(PredictionIds.of(base, i), predictions.get(i)));
        }
        // before the ids go back: an acknowledged prediction is never lost
        journal.append(LoggedRequest.of(base.toString(), millis, v.modelName(), v.version(), rows, predictions, micros, false, callerKey));
        for (int shadowVersion : policy.shadow()) {
            if (shadowVersion != v.version()) {
                shadow(route, shadowVersion, callerKey, rows);
            }
        }
        return new PredictionResponse(v.modelName(), v.version(), items);
    }

    /** Predicts with a version (batched when its model's options say so), counting errors in {@code s}. */
    private List<Prediction> predict(ModelVersion v, ServingOptions options, List<Map<String, Object>> rows, VersionStats s) {
        LoadedModel m;
        try {
            m = acquire(v);
        } catch (RuntimeException e) {
            s.error();
            throw e;
        }
        try {
            List<Row> checked = m.rows(rows, options.ignoreUnknownColumns());
            return options.batching() ? batcher(v, options).predict(m, checked) : m.predictRows(checked);
        } catch (IllegalStateException | UncheckedIOException e) {
            s.error();
            throw unservable(e);
        } catch (RuntimeException e) {
            s.error();
            throw e;
        } finally {
            m.release();
        }
    }

    /** The version's batcher, made anew when its model's batching options change. */
    private Batcher batcher(ModelVersion v, ServingOptions options) {
        String key = v.modelName() + "@" + v.version();
        Batcher b = batchers.get(key);
        if (b != null && b.options.equals(options)) {
            return b;
        }
        synchronized (batchers) {
            b = batchers.get(key);
            if (b != null && b.options.equals(options)) {
                return b;
            }
            // A replaced batcher needs no stopping: its batches are run by the requests that joined it, which finish.
            Batcher made = new Batcher(options);
            batchers.put(key, made);
            return made;
        }
    }

    /** Mirrors a request to a shadow version off the request path; its answers are logged, never returned. */
    private void shadow(ModelRoutes.Route route, int version, String callerKey, List<Map<String, Object>> rows) {
        String model = route.model();
        try {
            shadows.execute(() -> {
                VersionStats s = stats(model, version);
                long t0 = System.nanoTime();
                try {
                    ModelVersion v = route.version(null, version);
                    List<Prediction> p = predict(v, route.options(), rows, s);
                    long nanos = System.nanoTime() - t0;
                    long micros = nanos / 1000;
                    s.success(rows.size(), nanos);
                    long millis = System.currentTimeMillis();
                    journal.append(LoggedRequest.of(PredictionIds.next(millis).toString(), millis, model, version, rows, p, micros, true,
                            callerKey));
                } catch (RuntimeException e) {
                    // counted as the version's error by predict; the caller's answer does not depend on it
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            shadowDropped.incrementAndGet();
        }
    }

    /** A request that reached this instance while it was being deactivated: the next one reaches its successor. */
    static ServiceUnavailableException restarting() {
        return new ServiceUnavailableException("serving is restarting (reconfigured or stopping); try again", 1);
    }

    /** A model that exists but cannot be served now (its artifact unreadable, its engine gone): a 503, logged. */
    private static ApiException unservable(RuntimeException e) {
        LOG.error("Serving failed", e);
        return new ApiException(503, "the model cannot be served", null, e.getMessage());
    }

    /** The model's traffic policy (its registry tag, see {@link ModelRoutes} for how fresh). */
    @Override
    public TrafficPolicy policy(String model) {
        try {
            return routes.get(model).policy();
        } catch (NotFoundException e) {
            return TrafficPolicy.NONE;
        }
    }

    /** The model's serving options. */
    ServingOptions options(String model) {
        return routes.get(model).options();
    }

    /** Sets a model's serving options (back to the defaults with {@link ServingOptions#DEFAULT}). */
    ServingOptions setOptions(String model, ServingOptions options) {
        if (registry.model(model).isEmpty()) {
            throw new NotFoundException("no registered model '" + model + "'");
        }
        registry.setModelTag(model, ServingOptions.TAG, options.equals(ServingOptions.DEFAULT) ? "" : options.toJson());
        return options;
    }

    /**
     * Sets (or with an empty policy such as {@link TrafficPolicy#NONE} clears) a model's traffic policy; every
     * version must exist. {@code user} is who changed it, for the {@link Topics#TRAFFIC_CHANGED} event.
     */
    @Override
    public TrafficPolicy set(String model, TrafficPolicy p, String user) {
        if (registry.model(model).isEmpty()) {
            throw new NotFoundException("no registered model '" + model + "'");
        }
        for (int i = 0; i < p.split().size(); i++) {
            int version = p.split().get(i).version();
            if (registry.version(model, version).isEmpty()) {
                String field = "split[" + i + "].version";
                throw new InvalidFieldException(field, field + ": model '" + model + "' has no version " + version);
            }
        }
        for (int i = 0; i < p.shadow().size(); i++) {
            if (registry.version(model, p.shadow().get(i)).isEmpty()) {
                String field = "shadow[" + i + "]";
                throw new InvalidFieldException(field, field + ": model '" + model + "' has no version " + p.shadow().get(i));
            }
        }
        String json = p.isEmpty() ? null : TrafficPolicies.toJson(p);
        registry.setModelTag(model, TrafficPolicies.TAG, json == null ? "" : json);
        Map<String, Object> ev = new LinkedHashMap<>();
        ev.put(Topics.MODEL_NAME, model);
        ev.put(Topics.USER, user);
        ev.put(Topics.POLICY, json); // absent when cleared
        Events.post(events, Topics.TRAFFIC_CHANGED, ev);
        return p;
    }

    /** What callers send to a version, for {@code GET /api/models/{name}/schema}. */
    Map<String, Object> schema(String model, String alias, Integer version) {
        ModelVersion v = resolve(model, alias, version);
        LoadedModel m = acquire(v);
        m.release(); // only its description is read, which stays readable after close
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("model", v.modelName());
        out.put("version", v.version());
        out.put("task", m.manifest().task().name());
        out.put("target", m.target());
        List<Map<String, Object>> features = new ArrayList<>();
        m.features().fields().forEach(f -> features.add(Map.of("name", f.name(), "type", f.type().name())));
        out.put("features", features);
        List<String> labels = new ArrayList<>();
        labels.addAll(m.manifest().labels());
        out.put("labels", labels);
        return out;
    }

    Map<String, Object> stats() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("log", journal.stats());
        out.put("shadowDropped", shadowDropped.get());
        Map<String, Object> versions = new java.util.TreeMap<>();
        stats.forEach((k, v) -> versions.put(k, v.view()));
        out.put("versions", versions);
        Map<String, Object> batching = new java.util.TreeMap<>();
        batchers.forEach((k, b) -> batching.put(k, b.view()));
        out.put("batching", batching);
        out.put("loadedModels", loaded.entrySet().stream().filter(e -> e.getValue().now() != null).map(Map.Entry::getKey).sorted().toList());
        return out;
    }

    /**
     * A deleted model or version leaves the cache at once (it would otherwise hold its memory until evicted; requests
     * for it are already refused, as the registry no longer resolves it). Closed after the usual grace period.
     */
    @Override
    public void handleEvent(Event event) {
        String name = (String) event.getProperty(Topics.MODEL_NAME);
        Object version = event.getProperty(Topics.MODEL_VERSION);
        if (name == null) {
            return;
        }
        routes.forget(name);
        retire((key, m) -> isOf(key, name, version), Topics.REASON_DELETED);
        // its meters go too: a deleted version's series would otherwise stay in /metrics for ever
        stats.entrySet().removeIf(entry -> {
            if (!isOf(entry.getKey(), name, version)) {
                return false;
            }
            entry.getValue().remove();
            return true;
        });
    }
}
