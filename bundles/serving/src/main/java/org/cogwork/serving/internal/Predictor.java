package org.cogwork.serving.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import org.cogwork.api.engine.Engine;
import org.cogwork.api.engine.Prediction;
import org.cogwork.api.event.Events;
import org.cogwork.api.event.Topics;
import org.cogwork.api.feature.FeaturePipelineService;
import org.cogwork.api.problem.ApiException;
import org.cogwork.api.problem.InvalidFieldException;
import org.cogwork.api.problem.NotFoundException;
import org.cogwork.api.registry.ModelRegistry;
import org.cogwork.api.registry.ModelVersion;
import org.cogwork.api.serving.PredictionRecord;
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
 * Predicts with registered model versions: resolves the alias (default {@code production}) or version in the
 * registry, loads the version's {@code model.zip} from its run's artifacts once (kept in a small LRU cache,
 * closed when evicted or when its engine goes away), predicts, and queues every prediction for the log with
 * an id the caller can send feedback on. Loading and unloading a version are announced as {@link Topics#MODEL_LOADED}
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
    private final Map<String, LoadedModel> cache;
    private final PredictionJournal journal;
    private final MeterRegistry meters;
    private final List<Meter> ownMeters;
    final int maxRows;
    final long maxBodyBytes;
    private final Map<String, CachedPolicy> policies = new ConcurrentHashMap<>();
    private final java.util.concurrent.ThreadPoolExecutor shadows = new java.util.concurrent.ThreadPoolExecutor(1, 1, 0,
            java.util.concurrent.TimeUnit.SECONDS, new java.util.concurrent.ArrayBlockingQueue<>(1000), r -> {
                Thread t = new Thread(r, "cogwork-shadow");
                t.setDaemon(true);
                return t;
            });
    private final java.util.concurrent.atomic.AtomicLong shadowDropped = new java.util.concurrent.atomic.AtomicLong();

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    volatile EventAdmin events;

    private record CachedPolicy(TrafficPolicy policy, long until) {
    }

    private static final long ENGINE_WAIT_MS = 10_000;
    private final java.util.concurrent.ScheduledExecutorService retirer = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "cogwork-model-retire");
        t.setDaemon(true);
        return t;
    });

    @Activate
    public Predictor(ServingConfig config, @Reference ModelRegistry registry, @Reference ExperimentTracker tracker,
                     @Reference FeaturePipelineService pipelines, @Reference PredictionJournal journal,
                     @Reference MeterRegistry meters) {
        this.registry = registry;
        this.tracker = tracker;
        this.pipelines = pipelines;
        this.maxRows = config.max_rows();
        this.maxBodyBytes = config.max_body_bytes();
        int size = Math.max(1, config.cache_size());
        this.cache = java.util.Collections.synchronizedMap(new java.util.LinkedHashMap<>(16, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<String, LoadedModel> eldest) {
                if (size() > size) {
                    eldest.getValue().close();
                    unloaded(eldest.getKey(), Topics.REASON_EVICTED);
                    return true;
                }
                return false;
            }
        });
        this.journal = journal;
        this.meters = meters;
        this.ownMeters = List.of(
                FunctionCounter.builder("cogwork.predict.shadow.dropped", shadowDropped, java.util.concurrent.atomic.AtomicLong::get)
                        .description("shadow predictions not made because the shadow queue was full").register(meters),
                Gauge.builder("cogwork.serving.loaded.models", cache, Map::size)
                        .description("model versions loaded in memory on this node").register(meters));
    }

    /** The meters of {@code model@version}, made on its first request and kept (the hot path looks up nothing else). */
    private VersionStats stats(String model, int version) {
        return stats.computeIfAbsent(model + "@" + version, k -> new VersionStats(meters, model, version));
    }

    @Deactivate
    void deactivate() {
        shadows.shutdownNow();
        retirer.shutdownNow();
        ownMeters.forEach(meters::remove);
        stats.values().forEach(VersionStats::remove);
        stats.clear();
        synchronized (cache) {
            cache.forEach((key, m) -> {
                m.close();
                unloaded(key, Topics.REASON_STOPPED);
            });
            cache.clear();
        }
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
    }

    void updatedEngine(ServiceReference<Engine> ref) {
        retireEngines(engines.modified(ref));
    }

    void unbindEngine(ServiceReference<Engine> ref) {
        retireEngines(engines.remove(ref));
    }

    /**
     * Models of an engine name whose engine changes (the one in use left, was updated or removed, or was outranked)
     * leave the cache at once, so new requests reload them from bytes through its successor; they are closed only
     * after a grace period, so requests already running on them finish on the old model. A second provider of a
     * name that is not used changes nothing.
     */
    private void retireEngines(java.util.Set<String> names) {
        if (!names.isEmpty()) {
            retire((key, m) -> names.contains(m.manifest().engine()), Topics.REASON_ENGINE_GONE);
        }
    }

    /**
     * Takes the loaded versions {@code which} accepts (by cache key and model) out of the cache and announces them
     * with {@code reason}; they are closed after a grace period, so requests already running on them finish first.
     */
    private void retire(java.util.function.BiPredicate<String, LoadedModel> which, String reason) {
        List<LoadedModel> retired = new ArrayList<>();
        synchronized (cache) {
            cache.entrySet().removeIf(entry -> {
                if (!which.test(entry.getKey(), entry.getValue())) {
                    return false;
                }
                retired.add(entry.getValue());
                unloaded(entry.getKey(), reason);
                return true;
            });
        }
        if (!retired.isEmpty()) {
            retirer.schedule(() -> retired.forEach(LoadedModel::close), 30, java.util.concurrent.TimeUnit.SECONDS);
        }
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
     * (bounded) rather than fail the request.
     */
    private Engine engine(String name) {
        long deadline = System.currentTimeMillis() + ENGINE_WAIT_MS;
        Engine e = engines.get(name);
        while (e == null && System.currentTimeMillis() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                return null;
            }
            e = engines.get(name);
        }
        return e;
    }

    /** The version an alias (default production) or explicit version names. */
    ModelVersion resolve(String model, String alias, Integer version) {
        if (version != null) {
            return registry.version(model, version).orElseThrow(() -> new NotFoundException(
                    "model '" + model + "' has no version " + version));
        }
        String a = alias == null || alias.isBlank() ? ModelRegistry.DEFAULT_ALIAS : alias;
        if (registry.model(model).isEmpty()) {
            throw new NotFoundException("no registered model '" + model + "'");
        }
        return registry.byAlias(model, a).orElseThrow(() -> new NotFoundException(
                "model '" + model + "' has no alias '" + a + "'; point it at a version first"));
    }

    LoadedModel load(ModelVersion v) {
        String key = v.modelName() + "@" + v.version();
        synchronized (cache) {
            LoadedModel m = cache.get(key);
            if (m != null) {
                return m;
            }
            String source = v.source();
            int at = source == null ? -1 : source.indexOf("/artifacts/");
            if (v.runId() == null || at < 0) {
                throw unservable(new IllegalStateException("version " + v.version() + " of '" + v.modelName()
                        + "' does not point at a run artifact: " + source));
            }
            try (InputStream in = tracker.openArtifact(v.runId(), source.substring(at + "/artifacts/".length()))) {
                m = LoadedModel.load(in, this::engine, pipelines);
            } catch (NoSuchElementException e) {
                throw new NotFoundException("version " + v.version() + " of '" + v.modelName() + "': " + e.getMessage());
            } catch (IOException | UncheckedIOException | IllegalStateException e) {
                throw unservable(new IllegalStateException("version " + v.version() + " of '" + v.modelName() + "' cannot be loaded: "
                        + e.getMessage(), e));
            }
            retireUnrouted(v);
            cache.put(key, m);
            Events.post(events, Topics.MODEL_LOADED, Map.of(Topics.MODEL_NAME, v.modelName(), Topics.MODEL_VERSION, v.version(),
                    Topics.ENGINE_NAME, m.manifest().engine()));
            return m;
        }
    }

    /**
     * When a version of a model is loaded, the model's other loaded versions that no alias and no traffic policy
     * routes to any more leave the cache: after an alias moved to a new version, the old one would otherwise hold
     * its memory (tens of MB for a forest or a large vocabulary) until the cache overflows. A request naming such a
     * version loads it again. Requests already running on it finish first: it is closed after a grace period.
     * Called with the cache locked.
     */
    private void retireUnrouted(ModelVersion loading) {
        String name = loading.modelName();
        if (cache.keySet().stream().noneMatch(k -> isOf(k, name, null))) {
            return;
        }
        java.util.Set<Integer> routed = new java.util.HashSet<>();
        registry.model(name).ifPresent(m -> {
            routed.addAll(m.aliases().values());
            TrafficPolicy p = TrafficPolicies.fromTag(m.tags().get(TrafficPolicies.TAG));
            p.split().forEach(a -> routed.add(a.version()));
            routed.addAll(p.shadow());
        });
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
        journal.admit();
        TrafficPolicy policy = aliasOrNull == null && versionOrNull == null ? policy(modelName) : TrafficPolicy.NONE;
        Integer chosen = versionOrNull != null ? versionOrNull : policy.choose(callerKey);
        ModelVersion v = resolve(modelName, aliasOrNull, chosen);
        VersionStats s = stats(v.modelName(), v.version());
        long t0 = System.nanoTime();
        List<Prediction> predictions;
        try {
            predictions = load(v).predict(rows);
        } catch (IllegalStateException | UncheckedIOException e) {
            s.error();
            throw unservable(e);
        } catch (RuntimeException e) {
            s.error();
            throw e;
        }
        long nanos = System.nanoTime() - t0;
        long micros = nanos / 1000;
        s.success(rows.size(), nanos);
        Instant now = Instant.now();
        List<PredictionResponse.Item> items = new ArrayList<>(rows.size());
        List<PredictionRecord> records = new ArrayList<>(rows.size());
        for (int i = 0; i < rows.size(); i++) {
            String id = UUID.randomUUID().toString();
            items.add(new PredictionResponse.Item(id, predictions.get(i)));
            records.add(new PredictionRecord(id, now, v.modelName(), v.version(), rows.get(i), predictions.get(i), micros, false, callerKey));
        }
        journal.append(records); // before the ids go back: an acknowledged prediction is never lost
        for (int shadowVersion : policy.shadow()) {
            if (shadowVersion != v.version()) {
                shadow(modelName, shadowVersion, callerKey, rows);
            }
        }
        return new PredictionResponse(v.modelName(), v.version(), items);
    }

    /** Mirrors a request to a shadow version off the request path; its answers are logged, never returned. */
    private void shadow(String model, int version, String callerKey, List<Map<String, Object>> rows) {
        try {
            shadows.execute(() -> {
                VersionStats s = stats(model, version);
                long t0 = System.nanoTime();
                try {
                    ModelVersion v = resolve(model, null, version);
                    List<Prediction> p = load(v).predict(rows);
                    long nanos = System.nanoTime() - t0;
                    long micros = nanos / 1000;
                    s.success(rows.size(), nanos);
                    Instant now = Instant.now();
                    List<PredictionRecord> records = new ArrayList<>(rows.size());
                    for (int i = 0; i < rows.size(); i++) {
                        records.add(new PredictionRecord(UUID.randomUUID().toString(), now, model, version, rows.get(i), p.get(i),
                                micros, true, callerKey));
                    }
                    journal.append(records);
                } catch (RuntimeException e) {
                    s.error();
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            shadowDropped.incrementAndGet();
        }
    }

    /** A model that exists but cannot be served now (its artifact unreadable, its engine gone): a 503, logged. */
    private static ApiException unservable(RuntimeException e) {
        LOG.error("Serving failed", e);
        return new ApiException(503, "the model cannot be served", null, e.getMessage());
    }

    /** The model's traffic policy (its registry tag), re-read at most once a second. */
    @Override
    public TrafficPolicy policy(String model) {
        long now = System.currentTimeMillis();
        CachedPolicy c = policies.get(model);
        if (c != null && c.until() > now) {
            return c.policy();
        }
        TrafficPolicy p = registry.model(model).map(m -> TrafficPolicies.fromTag(m.tags().get(TrafficPolicies.TAG)))
                .orElse(TrafficPolicy.NONE);
        policies.put(model, new CachedPolicy(p, now + 1000));
        return p;
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
        policies.remove(model);
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
        LoadedModel m = load(v);
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
        out.put("loadedModels", new ArrayList<>(cache.keySet()));
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
