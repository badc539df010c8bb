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
import org.cogwork.api.engine.Engine;
import org.cogwork.api.engine.Prediction;
import org.cogwork.api.feature.FeaturePipelineService;
import org.cogwork.api.registry.ModelRegistry;
import org.cogwork.api.registry.ModelVersion;
import org.cogwork.api.serving.PredictionLog;
import org.cogwork.api.serving.PredictionRecord;
import org.cogwork.api.serving.PredictionResponse;
import org.cogwork.api.serving.PredictionService;
import org.cogwork.api.tracking.ExperimentTracker;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;

/**
 * Predicts with registered model versions: resolves the alias (default {@code production}) or version in the
 * registry, loads the version's {@code model.zip} from its run's artifacts once (kept in a small LRU cache,
 * closed when evicted or when its engine goes away), predicts, and queues every prediction for the log with
 * an id the caller can send feedback on.
 */
@Component(service = {PredictionService.class, Predictor.class}, configurationPid = ServingConfig.PID)
@Designate(ocd = ServingConfig.class)
public class Predictor implements PredictionService {
    private final ModelRegistry registry;
    private final ExperimentTracker tracker;
    private final FeaturePipelineService pipelines;
    private final Map<String, Engine> engines = new ConcurrentHashMap<>();
    private final Map<String, VersionStats> stats = new ConcurrentHashMap<>();
    private final Map<String, LoadedModel> cache;
    private final LogWriter log;
    final int maxRows;
    final long maxBodyBytes;
    private volatile PredictionLog predictionLog;
    private final Map<String, CachedPolicy> policies = new ConcurrentHashMap<>();
    private final java.util.concurrent.ThreadPoolExecutor shadows = new java.util.concurrent.ThreadPoolExecutor(1, 1, 0,
            java.util.concurrent.TimeUnit.SECONDS, new java.util.concurrent.ArrayBlockingQueue<>(1000), r -> {
                Thread t = new Thread(r, "cogwork-shadow");
                t.setDaemon(true);
                return t;
            });
    private final java.util.concurrent.atomic.AtomicLong shadowDropped = new java.util.concurrent.atomic.AtomicLong();

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
                     @Reference FeaturePipelineService pipelines) {
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
                    return true;
                }
                return false;
            }
        });
        this.log = new LogWriter(config.log_queue(), () -> predictionLog);
    }

    @Deactivate
    void deactivate() {
        shadows.shutdownNow();
        retirer.shutdownNow();
        log.close();
        synchronized (cache) {
            cache.values().forEach(LoadedModel::close);
            cache.clear();
        }
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindEngine(Engine e) {
        engines.put(e.info().name(), e);
    }

    /**
     * Models of an engine that leaves (updated, removed) leave the cache at once, so new requests reload them
     * from bytes through its successor; they are closed only after a grace period, so requests already running
     * on them finish on the old model.
     */
    void unbindEngine(Engine e) {
        String name = e.info().name();
        engines.remove(name, e);
        List<LoadedModel> retired = new ArrayList<>();
        synchronized (cache) {
            cache.entrySet().removeIf(entry -> {
                if (name.equals(entry.getValue().manifest().path("engine").asText())) {
                    retired.add(entry.getValue());
                    return true;
                }
                return false;
            });
        }
        if (!retired.isEmpty()) {
            retirer.schedule(() -> retired.forEach(LoadedModel::close), 30, java.util.concurrent.TimeUnit.SECONDS);
        }
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

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    void setLog(PredictionLog l) {
        this.predictionLog = l;
    }

    void unsetLog(PredictionLog l) {
        if (this.predictionLog == l) {
            this.predictionLog = null;
        }
    }

    /** The version an alias (default production) or explicit version names. */
    ModelVersion resolve(String model, String alias, Integer version) {
        if (version != null) {
            return registry.version(model, version).orElseThrow(() -> new NoSuchElementException(
                    "model '" + model + "' has no version " + version));
        }
        String a = alias == null || alias.isBlank() ? ModelRegistry.DEFAULT_ALIAS : alias;
        if (registry.model(model).isEmpty()) {
            throw new NoSuchElementException("no registered model '" + model + "'");
        }
        return registry.byAlias(model, a).orElseThrow(() -> new NoSuchElementException(
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
                throw new IllegalStateException("version " + v.version() + " of '" + v.modelName()
                        + "' does not point at a run artifact: " + source);
            }
            try (InputStream in = tracker.openArtifact(v.runId(), source.substring(at + "/artifacts/".length()))) {
                m = LoadedModel.load(in, this::engine, pipelines);
            } catch (IOException e) {
                throw new UncheckedIOException("version " + v.version() + " of '" + v.modelName() + "' cannot be loaded: "
                        + e.getMessage(), e);
            }
            cache.put(key, m);
            return m;
        }
    }

    @Override
    public PredictionResponse predict(String modelName, String aliasOrNull, Integer versionOrNull, String callerKey,
                                      List<Map<String, Object>> rows) {
        if (rows == null || rows.isEmpty()) {
            throw new IllegalArgumentException("rows: send at least one row");
        }
        if (rows.size() > maxRows) {
            throw new IllegalArgumentException("rows: at most " + maxRows + " rows per request, got " + rows.size());
        }
        TrafficPolicy policy = aliasOrNull == null && versionOrNull == null ? policy(modelName) : TrafficPolicy.NONE;
        Integer chosen = versionOrNull != null ? versionOrNull : policy.choose(callerKey);
        ModelVersion v = resolve(modelName, aliasOrNull, chosen);
        VersionStats s = stats.computeIfAbsent(v.modelName() + "@" + v.version(), k -> new VersionStats());
        long t0 = System.nanoTime();
        List<Prediction> predictions;
        try {
            predictions = load(v).predict(rows);
        } catch (RuntimeException e) {
            s.error();
            throw e;
        }
        long micros = (System.nanoTime() - t0) / 1000;
        s.success(rows.size(), micros);
        Instant now = Instant.now();
        List<PredictionResponse.Item> items = new ArrayList<>(rows.size());
        List<PredictionRecord> records = new ArrayList<>(rows.size());
        for (int i = 0; i < rows.size(); i++) {
            String id = UUID.randomUUID().toString();
            items.add(new PredictionResponse.Item(id, predictions.get(i)));
            records.add(new PredictionRecord(id, now, v.modelName(), v.version(), rows.get(i), predictions.get(i), micros, false, callerKey));
        }
        log.offer(records);
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
                VersionStats s = stats.computeIfAbsent(model + "@" + version, k -> new VersionStats());
                long t0 = System.nanoTime();
                try {
                    ModelVersion v = resolve(model, null, version);
                    List<Prediction> p = load(v).predict(rows);
                    long micros = (System.nanoTime() - t0) / 1000;
                    s.success(rows.size(), micros);
                    Instant now = Instant.now();
                    List<PredictionRecord> records = new ArrayList<>(rows.size());
                    for (int i = 0; i < rows.size(); i++) {
                        records.add(new PredictionRecord(UUID.randomUUID().toString(), now, model, version, rows.get(i), p.get(i),
                                micros, true, callerKey));
                    }
                    log.offer(records);
                } catch (RuntimeException e) {
                    s.error();
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            shadowDropped.incrementAndGet();
        }
    }

    /** The model's traffic policy (its registry tag), re-read at most once a second. */
    TrafficPolicy policy(String model) {
        long now = System.currentTimeMillis();
        CachedPolicy c = policies.get(model);
        if (c != null && c.until() > now) {
            return c.policy();
        }
        TrafficPolicy p = registry.model(model).map(m -> TrafficPolicy.fromTag(m.tags().get(TrafficPolicy.TAG)))
                .orElse(TrafficPolicy.NONE);
        policies.put(model, new CachedPolicy(p, now + 1000));
        return p;
    }

    /** Sets (or with {@link TrafficPolicy#NONE} clears) a model's traffic policy; every version must exist. */
    TrafficPolicy setPolicy(String model, TrafficPolicy p) {
        if (registry.model(model).isEmpty()) {
            throw new NoSuchElementException("no registered model '" + model + "'");
        }
        for (int i = 0; i < p.split().size(); i++) {
            int version = p.split().get(i).version();
            if (registry.version(model, version).isEmpty()) {
                throw new IllegalArgumentException("split[" + i + "].version: model '" + model + "' has no version " + version);
            }
        }
        for (int i = 0; i < p.shadow().size(); i++) {
            if (registry.version(model, p.shadow().get(i)).isEmpty()) {
                throw new IllegalArgumentException("shadow[" + i + "]: model '" + model + "' has no version " + p.shadow().get(i));
            }
        }
        registry.setModelTag(model, TrafficPolicy.TAG, p == TrafficPolicy.NONE ? "" : p.toJson());
        policies.remove(model);
        return p;
    }

    /** What callers send to a version, for {@code GET /api/models/{name}/schema}. */
    Map<String, Object> schema(String model, String alias, Integer version) {
        ModelVersion v = resolve(model, alias, version);
        LoadedModel m = load(v);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("model", v.modelName());
        out.put("version", v.version());
        out.put("task", m.manifest().path("task").asText());
        out.put("target", m.target());
        List<Map<String, Object>> features = new ArrayList<>();
        m.features().fields().forEach(f -> features.add(Map.of("name", f.name(), "type", f.type().name())));
        out.put("features", features);
        List<String> labels = new ArrayList<>();
        m.manifest().path("labels").forEach(l -> labels.add(l.asText()));
        out.put("labels", labels);
        return out;
    }

    Map<String, Object> stats() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("log", Map.of("queued", log.queued(), "written", log.written(), "dropped", log.dropped(), "failed", log.failed()));
        out.put("shadowDropped", shadowDropped.get());
        Map<String, Object> versions = new java.util.TreeMap<>();
        stats.forEach((k, v) -> versions.put(k, v.view()));
        out.put("versions", versions);
        out.put("loadedModels", new ArrayList<>(cache.keySet()));
        return out;
    }
}
