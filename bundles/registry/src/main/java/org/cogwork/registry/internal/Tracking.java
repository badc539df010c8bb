package org.cogwork.registry.internal;

import org.cogwork.persistence.Database;
import java.io.FileNotFoundException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.cogwork.api.artifact.ArtifactStorage;
import org.cogwork.api.event.Events;
import org.cogwork.api.event.Topics;
import org.cogwork.api.problem.InvalidFieldException;
import org.cogwork.api.problem.NotFoundException;
import org.cogwork.api.tracking.Experiment;
import org.cogwork.api.tracking.ExperimentTracker;
import org.cogwork.api.tracking.MetricPoint;
import org.cogwork.api.tracking.Page;
import org.cogwork.api.tracking.Run;
import org.cogwork.api.tracking.RunQuery;
import org.cogwork.api.tracking.RunStatus;
import org.cogwork.runtime.rest.Json;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.jdbi.v3.core.statement.Query;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.event.EventAdmin;

/**
 * The experiment tracker over the metadata store, with artifacts in the configured {@link ArtifactStorage}.
 *
 * <p>Artifact URIs use the scheme {@code cogwork-artifacts:/<experimentId>/<runId>/artifacts/<path>}: a location in
 * whichever storage the artifact was written to (recorded with its size and SHA-256 in the {@code artifacts}
 * table), independent of where that storage keeps its bytes; the storage key is the URI's path without the
 * leading '/'. Writes spool to a temporary file (to know length and checksum before the storage sees a byte),
 * reads copy to a temporary file while hashing, so a caller never gets bytes that fail the checksum.
 */
@Designate(ocd = RegistryConfig.class)
@Component(name = "org.cogwork.registry.tracker", service = ExperimentTracker.class, configurationPid = RegistryConfig.PID)
public class Tracking implements ExperimentTracker {
    public static final String SCHEME = "cogwork-artifacts";
    static final String DEFAULT_ID = "0";
    /**
     * The run's creator (MLflow's {@code user_id}): set at creation by the REST layers from the signed-in caller,
     * never changed by a client afterwards.
     */
    static final String USER_TAG = "mlflow.user";
    private static final Set<RunStatus> FINAL = Set.of(RunStatus.FINISHED, RunStatus.FAILED, RunStatus.KILLED);

    private final Database db;
    private final LocalArtifactStorage local;
    private final String storageName;
    private final Path tmp;
    private final Map<String, ArtifactStorage> storages = new ConcurrentHashMap<>();

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    volatile EventAdmin events;

    @Activate
    public Tracking(BundleContext ctx, RegistryConfig config, @Reference Database db) {
        this(db, dataDir(ctx), config.artifact_storage());
    }

    /** For use outside OSGi (tests, tools). */
    public Tracking(Database db, Path dataDir, String storageName) {
        this.db = db;
        this.local = new LocalArtifactStorage(dataDir.resolve("artifacts"));
        this.storageName = storageName == null || storageName.isBlank() ? LocalArtifactStorage.NAME : storageName.trim();
        this.tmp = dataDir.resolve("tmp");
        try {
            Files.createDirectories(tmp);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot create " + tmp, e);
        }
        long now = System.currentTimeMillis();
        db.txVoid(h -> {
            if (h.createQuery("SELECT COUNT(*) FROM experiments WHERE id = 0").mapTo(Integer.class).one() == 0) {
                h.execute("INSERT INTO experiments (id, name, artifact_location, lifecycle_stage, created, updated) VALUES (0, ?, ?, 'active', ?, ?)",
                        DEFAULT_EXPERIMENT, SCHEME + ":/0", now, now);
            }
        });
    }

    static Path dataDir(BundleContext ctx) {
        String d = ctx.getProperty("cogwork.data.dir");
        return Path.of(d == null ? "data" : d);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void addStorage(ArtifactStorage storage, Map<String, Object> props) {
        Object name = props.get(ArtifactStorage.ARTIFACT_STORAGE);
        if (name != null) {
            storages.put(name.toString(), storage);
        }
    }

    void removeStorage(ArtifactStorage storage, Map<String, Object> props) {
        Object name = props.get(ArtifactStorage.ARTIFACT_STORAGE);
        if (name != null) {
            storages.remove(name.toString(), storage);
        }
    }

    /** For tests and tools: makes a storage available under its name. */
    public void storage(String name, ArtifactStorage storage) {
        storages.put(name, storage);
    }

    // ---------------------------------------------------------------- experiments

    @Override
    public Experiment createExperiment(String name, Map<String, String> tags) {
        Checks.limit(Checks.require(name, "name"), 500, "name");
        validateTags(tags, "tags");
        long now = System.currentTimeMillis();
        long id = db.tx(h -> {
            if (h.createQuery("SELECT COUNT(*) FROM experiments WHERE name = ?").bind(0, name).mapTo(Integer.class).one() > 0) {
                throw new InvalidFieldException("name", "an experiment named '" + name + "' already exists");
            }
            long next = h.createQuery("SELECT COALESCE(MAX(id), 0) + 1 FROM experiments").mapTo(Long.class).one();
            h.execute("INSERT INTO experiments (id, name, artifact_location, lifecycle_stage, created, updated) VALUES (?, ?, ?, 'active', ?, ?)",
                    next, name, SCHEME + ":/" + next, now, now);
            if (tags != null) {
                tags.forEach((k, v) -> h.execute("INSERT INTO experiment_tags (experiment_id, tag_key, tag_value) VALUES (?, ?, ?)", next, k, v));
            }
            return next;
        });
        return experiment(Long.toString(id)).orElseThrow();
    }

    @Override
    public Optional<Experiment> experiment(String id) {
        Long n = numericId(id);
        if (n == null) {
            return Optional.empty();
        }
        return db.jdbi().withHandle(h -> loadExperiments(h, "WHERE id = :id", Map.of("id", n), "").stream().findFirst());
    }

    @Override
    public Optional<Experiment> experimentByName(String name) {
        if (name == null) {
            return Optional.empty();
        }
        return db.jdbi().withHandle(h -> loadExperiments(h, "WHERE name = :name", Map.of("name", name), "").stream().findFirst());
    }

    @Override
    public String experimentId(String name) {
        Checks.require(name, "name");
        for (int i = 0; i < 5; i++) {
            Optional<Experiment> e = experimentByName(name);
            if (e.isPresent()) {
                return e.get().id();
            }
            try {
                return createExperiment(name, Map.of()).id();
            } catch (InvalidFieldException taken) {
                // created concurrently: read it again
            }
        }
        return experimentByName(name).orElseThrow().id();
    }

    @Override
    public Page<Experiment> experiments(String nameFilter, boolean includeDeleted, int maxResults, String pageToken) {
        int max = PageToken.max(maxResults, 50_000);
        int offset = PageToken.offset(pageToken);
        StringBuilder where = new StringBuilder("WHERE 1 = 1");
        Map<String, Object> binds = new LinkedHashMap<>();
        if (!includeDeleted) {
            where.append(" AND lifecycle_stage = 'active'");
        }
        NameFilter.apply(nameFilter, "name", "filter", where, binds);
        List<Experiment> rows = db.jdbi().withHandle(h -> loadExperiments(h, where.toString(), binds,
                " ORDER BY created DESC, id ASC LIMIT " + (max + 1) + " OFFSET " + offset));
        return page(rows, max, offset);
    }

    static <T> Page<T> page(List<T> rows, int max, int offset) {
        if (rows.size() > max) {
            return new Page<>(rows.subList(0, max), PageToken.next(offset + max));
        }
        return new Page<>(rows, null);
    }

    private List<Experiment> loadExperiments(Handle h, String where, Map<String, Object> binds, String tail) {
        Query q = h.createQuery("SELECT id, name, artifact_location, lifecycle_stage, created, updated FROM experiments " + where + tail);
        binds.forEach(q::bind);
        List<Map<String, Object>> rows = q.mapToMap().list();
        List<Experiment> out = new ArrayList<>();
        for (Map<String, Object> r : rows) {
            long id = ((Number) r.get("id")).longValue();
            Map<String, String> tags = new TreeMap<>();
            h.createQuery("SELECT tag_key, tag_value FROM experiment_tags WHERE experiment_id = ?").bind(0, id)
                    .map((rs, ctx) -> tags.put(rs.getString(1), rs.getString(2))).list();
            out.add(new Experiment(Long.toString(id), (String) r.get("name"), (String) r.get("artifact_location"),
                    (String) r.get("lifecycle_stage"), Instant.ofEpochMilli(((Number) r.get("created")).longValue()),
                    Instant.ofEpochMilli(((Number) r.get("updated")).longValue()), tags));
        }
        return out;
    }

    @Override
    public void deleteExperiment(String id) {
        long n = existingExperiment(id);
        if (n == 0) {
            throw new InvalidFieldException("experiment_id", "the default experiment (id 0) cannot be deleted");
        }
        long now = System.currentTimeMillis();
        db.txVoid(h -> {
            h.execute("UPDATE experiments SET lifecycle_stage = 'deleted', updated = ? WHERE id = ?", now, n);
            h.execute("UPDATE runs SET lifecycle_stage = 'deleted' WHERE experiment_id = ?", n);
        });
    }

    @Override
    public void restoreExperiment(String id) {
        long n = existingExperiment(id);
        long now = System.currentTimeMillis();
        db.txVoid(h -> {
            h.execute("UPDATE experiments SET lifecycle_stage = 'active', updated = ? WHERE id = ?", now, n);
            h.execute("UPDATE runs SET lifecycle_stage = 'active' WHERE experiment_id = ?", n);
        });
    }

    @Override
    public void setExperimentTag(String experimentId, String key, String value) {
        long n = existingExperiment(experimentId);
        Checks.requireKey(key, "key");
        validateValue(value, 8000, "value");
        db.txVoid(h -> {
            if (h.execute("UPDATE experiment_tags SET tag_value = ? WHERE experiment_id = ? AND tag_key = ?", value, n, key) == 0) {
                h.execute("INSERT INTO experiment_tags (experiment_id, tag_key, tag_value) VALUES (?, ?, ?)", n, key, value);
            }
            h.execute("UPDATE experiments SET updated = ? WHERE id = ?", System.currentTimeMillis(), n);
        });
    }

    private static Long numericId(String id) {
        if (id == null || !id.matches("\\d{1,18}")) {
            return null;
        }
        return Long.parseLong(id);
    }

    private long existingExperiment(String id) {
        Long n = numericId(id);
        if (n == null || db.jdbi().withHandle(h -> h.createQuery("SELECT COUNT(*) FROM experiments WHERE id = ?")
                .bind(0, n).mapTo(Integer.class).one()) == 0) {
            throw new NotFoundException("no experiment with id '" + id + "'");
        }
        return n;
    }

    // ---------------------------------------------------------------- runs

    @Override
    public Run createRun(String experimentId, String runName, Long startTime, Map<String, String> tags) {
        String expId = experimentId == null || experimentId.isBlank() ? DEFAULT_ID : experimentId;
        long exp = existingExperiment(expId);
        Checks.limit(runName, 250, "run_name");
        validateTags(tags, "tags");
        if (startTime != null && startTime < 0) {
            throw new InvalidFieldException("start_time", "start_time must be >= 0, was " + startTime);
        }
        String id = UUID.randomUUID().toString().replace("-", "");
        String name = runName == null || runName.isBlank() ? "run-" + id.substring(0, 8) : runName;
        long start = startTime == null ? System.currentTimeMillis() : startTime;
        db.txVoid(h -> {
            String stage = h.createQuery("SELECT lifecycle_stage FROM experiments WHERE id = ?").bind(0, exp).mapTo(String.class).one();
            if (!"active".equals(stage)) {
                throw new InvalidFieldException("experiment_id", "experiment " + exp + " is deleted: restore it before starting runs");
            }
            h.execute("INSERT INTO runs (id, experiment_id, name, status, start_time, end_time, artifact_uri, lifecycle_stage) "
                    + "VALUES (?, ?, ?, 'RUNNING', ?, NULL, ?, 'active')", id, exp, name, start, SCHEME + ":/" + exp + "/" + id + "/artifacts");
            Map<String, String> all = new LinkedHashMap<>();
            if (tags != null) {
                all.putAll(tags);
            }
            all.put("mlflow.runName", name);
            all.forEach((k, v) -> h.execute("INSERT INTO run_tags (run_id, tag_key, tag_value) VALUES (?, ?, ?)", id, k, v));
        });
        return run(id).orElseThrow();
    }

    @Override
    public Run updateRun(String runId, RunStatus status, Long endTime, String runName) {
        Checks.limit(runName, 250, "run_name");
        if (endTime != null && endTime < 0) {
            throw new InvalidFieldException("end_time", "end_time must be >= 0, was " + endTime);
        }
        RunStatus before = db.tx(h -> {
            String prev = h.createQuery("SELECT status FROM runs WHERE id = ? FOR UPDATE").bind(0, key(runId))
                    .mapTo(String.class).findOne().orElseThrow(() -> noRun(runId));
            if (status != null) {
                h.execute("UPDATE runs SET status = ? WHERE id = ?", status.name(), runId);
            }
            if (endTime != null) {
                h.execute("UPDATE runs SET end_time = ? WHERE id = ?", endTime, runId);
            }
            if (runName != null && !runName.isBlank()) {
                h.execute("UPDATE runs SET name = ? WHERE id = ?", runName, runId);
                upsertTag(h, runId, "mlflow.runName", runName);
            }
            return RunStatus.valueOf(prev);
        });
        if (status != null && FINAL.contains(status) && before != status) {
            post(Topics.RUN_FINISHED, Map.of(Topics.RUN_ID, runId, Topics.RUN_STATUS, status.name()));
        }
        return run(runId).orElseThrow(() -> noRun(runId));
    }

    @Override
    public Optional<Run> run(String runId) {
        if (runId == null || !runId.matches("[0-9a-f]{32}")) {
            return Optional.empty();
        }
        return db.jdbi().withHandle(h -> loadRuns(h, "WHERE r.id = :id", Map.of("id", runId), "").stream().findFirst());
    }

    private static String key(String runId) {
        return runId == null ? "" : runId;
    }

    static NotFoundException noRun(String runId) {
        return new NotFoundException("no run with id '" + runId + "'");
    }

    private List<Run> loadRuns(Handle h, String where, Map<String, Object> binds, String tail) {
        Query q = h.createQuery("SELECT r.id, r.experiment_id, r.name, r.status, r.start_time, r.end_time, r.artifact_uri, "
                + "r.lifecycle_stage FROM runs r " + where + tail);
        binds.forEach((k, v) -> {
            if (v instanceof List<?> l) {
                q.bindList(k, l);
            } else {
                q.bind(k, v);
            }
        });
        List<Map<String, Object>> rows = q.mapToMap().list();
        if (rows.isEmpty()) {
            return List.of();
        }
        List<String> ids = rows.stream().map(r -> ((String) r.get("id")).trim()).toList();
        Map<String, Map<String, String>> params = new ConcurrentHashMap<>();
        Map<String, Map<String, String>> tags = new ConcurrentHashMap<>();
        Map<String, Map<String, MetricPoint>> metrics = new ConcurrentHashMap<>();
        h.createQuery("SELECT run_id, param_key, param_value FROM params WHERE run_id IN (<ids>)").bindList("ids", ids)
                .map((rs, c) -> params.computeIfAbsent(rs.getString(1).trim(), k -> new TreeMap<>()).put(rs.getString(2), rs.getString(3))).list();
        h.createQuery("SELECT run_id, tag_key, tag_value FROM run_tags WHERE run_id IN (<ids>)").bindList("ids", ids)
                .map((rs, c) -> tags.computeIfAbsent(rs.getString(1).trim(), k -> new TreeMap<>()).put(rs.getString(2), rs.getString(3))).list();
        h.createQuery("SELECT run_id, metric_key, val, is_nan, step, ts FROM latest_metrics WHERE run_id IN (<ids>)").bindList("ids", ids)
                .map((rs, c) -> metrics.computeIfAbsent(rs.getString(1).trim(), k -> new TreeMap<>()).put(rs.getString(2),
                        new MetricPoint(rs.getString(2), rs.getBoolean(4) ? Double.NaN : rs.getDouble(3), rs.getLong(5),
                                Instant.ofEpochMilli(rs.getLong(6))))).list();
        List<Run> out = new ArrayList<>();
        for (Map<String, Object> r : rows) {
            String id = ((String) r.get("id")).trim();
            Object end = r.get("end_time");
            out.add(new Run(id, r.get("experiment_id").toString(), (String) r.get("name"), RunStatus.valueOf((String) r.get("status")),
                    Instant.ofEpochMilli(((Number) r.get("start_time")).longValue()),
                    end == null ? null : Instant.ofEpochMilli(((Number) end).longValue()), (String) r.get("artifact_uri"),
                    (String) r.get("lifecycle_stage"), params.get(id), tags.get(id), metrics.get(id)));
        }
        return out;
    }

    @Override
    public void deleteRun(String runId) {
        stage(runId, "deleted");
    }

    @Override
    public void restoreRun(String runId) {
        stage(runId, "active");
    }

    private void stage(String runId, String stage) {
        db.txVoid(h -> {
            if (h.execute("UPDATE runs SET lifecycle_stage = ? WHERE id = ?", stage, key(runId)) == 0) {
                throw noRun(runId);
            }
        });
    }

    /** The run must exist and be active (MLflow refuses to log to deleted runs). */
    private static void requireActive(Handle h, String runId) {
        String stage = h.createQuery("SELECT lifecycle_stage FROM runs WHERE id = ?").bind(0, key(runId))
                .mapTo(String.class).findOne().orElseThrow(() -> noRun(runId));
        if (!"active".equals(stage)) {
            throw new InvalidFieldException("run_id", "run '" + runId + "' is deleted: restore it before logging to it");
        }
    }

    @Override
    public void logParam(String runId, String key, String value) {
        logBatch(runId, List.of(), Map.of(Checks.requireKey(key, "key"), value == null ? "" : value), Map.of());
    }

    @Override
    public void logMetric(String runId, MetricPoint point) {
        validateMetric(point, "metric");
        db.txVoid(h -> {
            requireActive(h, runId);
            insertMetrics(h, runId, List.of(point));
        });
    }

    @Override
    public void logBatch(String runId, List<MetricPoint> metrics, Map<String, String> params, Map<String, String> tags) {
        List<MetricPoint> ms = metrics == null ? List.of() : metrics;
        Map<String, String> ps = params == null ? Map.of() : params;
        Map<String, String> ts = tags == null ? Map.of() : tags;
        // MLflow's limits for one batch
        if (ms.size() > 1000) {
            throw new InvalidFieldException("metrics", "at most 1000 metrics per batch, was " + ms.size());
        }
        if (ps.size() > 100) {
            throw new InvalidFieldException("params", "at most 100 params per batch, was " + ps.size());
        }
        if (ts.size() > 100) {
            throw new InvalidFieldException("tags", "at most 100 tags per batch, was " + ts.size());
        }
        for (int i = 0; i < ms.size(); i++) {
            validateMetric(ms.get(i), "metrics[" + i + "]");
        }
        ps.forEach((k, v) -> {
            Checks.requireKey(k, "params.key");
            validateValue(v, 6000, "params." + k);
        });
        validateTags(ts, "tags");
        if (ts.containsKey(USER_TAG)) {
            throw userTagFixed("tags." + USER_TAG);
        }
        db.txVoid(h -> {
            requireActive(h, runId);
            if (!ps.isEmpty()) {
                // the run's params read once and the new ones inserted in one batch: a statement or two per key made
                // logging a training job's twenty params a tenth of a small job's time
                Map<String, String> logged = new HashMap<>();
                h.createQuery("SELECT param_key, param_value FROM params WHERE run_id = ?").bind(0, runId)
                        .map((rs, ctx) -> Map.entry(rs.getString(1), rs.getString(2)))
                        .forEach(e -> logged.put(e.getKey(), e.getValue()));
                PreparedBatch insert = h.prepareBatch("INSERT INTO params (run_id, param_key, param_value) VALUES (?, ?, ?)");
                for (Map.Entry<String, String> p : new TreeMap<>(ps).entrySet()) {
                    String old = logged.get(p.getKey());
                    if (old == null) {
                        insert.add(runId, p.getKey(), p.getValue());
                    } else if (!old.equals(p.getValue())) {
                        throw new InvalidFieldException("params." + p.getKey(), "param '" + p.getKey() + "' of run " + runId
                                + " was already logged with value " + Json.quote(old) + "; params are immutable (attempted " + Json.quote(p.getValue()) + ")");
                    }
                }
                if (insert.size() > 0) {
                    insert.execute();
                }
            }
            new TreeMap<>(ts).forEach((k, v) -> upsertTag(h, runId, k, v));
            insertMetrics(h, runId, ms);
        });
    }

    private static InvalidFieldException userTagFixed(String field) {
        return new InvalidFieldException(field, USER_TAG + " names the signed-in user who created the run; it cannot be changed");
    }

    private static void upsertTag(Handle h, String runId, String k, String v) {
        if (h.execute("UPDATE run_tags SET tag_value = ? WHERE run_id = ? AND tag_key = ?", v, runId, k) == 0) {
            h.execute("INSERT INTO run_tags (run_id, tag_key, tag_value) VALUES (?, ?, ?)", runId, k, v);
        }
    }

    private static void validateMetric(MetricPoint p, String field) {
        if (p == null) {
            throw new InvalidFieldException(field, field + " must not be null");
        }
        Checks.requireKey(p.key(), field + ".key");
        if (Double.isInfinite(p.value())) {
            throw new InvalidFieldException(field + ".value", field + ".value must be finite or NaN, was " + p.value());
        }
    }

    private static void validateValue(String v, int max, String field) {
        if (v == null) {
            throw new InvalidFieldException(field, field + " must not be null");
        }
        Checks.limit(v, max, field);
    }

    private static void validateTags(Map<String, String> tags, String field) {
        if (tags != null) {
            tags.forEach((k, v) -> {
                Checks.requireKey(k, field + ".key");
                validateValue(v, 8000, field + "." + k);
            });
        }
    }

    /** Inserts the points and moves each key's latest point forward (largest step, then timestamp, then value). */
    private static void insertMetrics(Handle h, String runId, List<MetricPoint> points) {
        if (points.isEmpty()) {
            return;
        }
        long now = System.currentTimeMillis();
        PreparedBatch b = h.prepareBatch("INSERT INTO metrics (run_id, metric_key, val, is_nan, step, ts) VALUES (?, ?, ?, ?, ?, ?)");
        Map<String, MetricPoint> latest = new TreeMap<>();
        for (MetricPoint p : points) {
            MetricPoint q = p.timestamp() == null ? new MetricPoint(p.key(), p.value(), p.step(), Instant.ofEpochMilli(now)) : p;
            boolean nan = Double.isNaN(q.value());
            b.add(runId, q.key(), nan ? 0.0 : q.value(), nan, q.step(), q.timestamp().toEpochMilli());
            latest.merge(q.key(), q, (a, c) -> newer(c, a) ? c : a);
        }
        b.execute();
        for (MetricPoint p : latest.values()) {
            boolean nan = Double.isNaN(p.value());
            Optional<Map<String, Object>> cur = h.createQuery("SELECT val, is_nan, step, ts FROM latest_metrics WHERE run_id = ? AND metric_key = ? FOR UPDATE")
                    .bind(0, runId).bind(1, p.key()).mapToMap().findOne();
            if (cur.isEmpty()) {
                h.execute("INSERT INTO latest_metrics (run_id, metric_key, val, is_nan, step, ts) VALUES (?, ?, ?, ?, ?, ?)",
                        runId, p.key(), nan ? 0.0 : p.value(), nan, p.step(), p.timestamp().toEpochMilli());
            } else {
                Map<String, Object> c = cur.get();
                MetricPoint old = new MetricPoint(p.key(), Boolean.TRUE.equals(c.get("is_nan")) ? Double.NaN : ((Number) c.get("val")).doubleValue(),
                        ((Number) c.get("step")).longValue(), Instant.ofEpochMilli(((Number) c.get("ts")).longValue()));
                if (newer(p, old)) {
                    h.execute("UPDATE latest_metrics SET val = ?, is_nan = ?, step = ?, ts = ? WHERE run_id = ? AND metric_key = ?",
                            nan ? 0.0 : p.value(), nan, p.step(), p.timestamp().toEpochMilli(), runId, p.key());
                }
            }
        }
    }

    private static boolean newer(MetricPoint a, MetricPoint b) {
        if (a.step() != b.step()) {
            return a.step() > b.step();
        }
        int t = a.timestamp().compareTo(b.timestamp());
        if (t != 0) {
            return t > 0;
        }
        return Double.compare(Double.isNaN(a.value()) ? Double.NEGATIVE_INFINITY : a.value(),
                Double.isNaN(b.value()) ? Double.NEGATIVE_INFINITY : b.value()) > 0;
    }

    @Override
    public void setTag(String runId, String key, String value) {
        Checks.requireKey(key, "key");
        if (USER_TAG.equals(key)) {
            throw userTagFixed("key");
        }
        validateValue(value, 8000, "value");
        db.txVoid(h -> {
            requireActive(h, runId);
            upsertTag(h, runId, key, value);
        });
    }

    @Override
    public void deleteTag(String runId, String key) {
        if (USER_TAG.equals(key)) {
            throw userTagFixed("key");
        }
        db.txVoid(h -> {
            requireActive(h, runId);
            if (h.execute("DELETE FROM run_tags WHERE run_id = ? AND tag_key = ?", runId, key) == 0) {
                throw new NotFoundException("run '" + runId + "' has no tag '" + key + "'");
            }
        });
    }

    @Override
    public List<MetricPoint> metricHistory(String runId, String key) {
        return db.jdbi().withHandle(h -> {
            if (h.createQuery("SELECT COUNT(*) FROM runs WHERE id = ?").bind(0, key(runId)).mapTo(Integer.class).one() == 0) {
                throw noRun(runId);
            }
            return h.createQuery("SELECT val, is_nan, step, ts FROM metrics WHERE run_id = ? AND metric_key = ? ORDER BY step, ts")
                    .bind(0, runId).bind(1, key)
                    .map((rs, c) -> new MetricPoint(key, rs.getBoolean(2) ? Double.NaN : rs.getDouble(1), rs.getLong(3),
                            Instant.ofEpochMilli(rs.getLong(4)))).list();
        });
    }

    @Override
    public Page<Run> searchRuns(RunQuery query) {
        if (query == null) {
            throw new InvalidFieldException("query", "query must not be null");
        }
        int max = PageToken.max(query.maxResults(), 50_000);
        int offset = PageToken.offset(query.pageToken());
        if (query.experimentIds().isEmpty()) {
            throw new InvalidFieldException("experiment_ids", "experiment_ids must name at least one experiment");
        }
        List<Long> exps = new ArrayList<>();
        for (String id : query.experimentIds()) {
            Long n = numericId(id);
            if (n == null) {
                throw new InvalidFieldException("experiment_ids", "experiment id '" + id + "' is not a number");
            }
            exps.add(n);
        }
        RunSearch s = RunSearch.compile(query.filter(), query.orderBy());
        String where = "WHERE r.experiment_id IN (<exps>)" + (query.includeDeleted() ? "" : " AND r.lifecycle_stage = 'active'") + s.where;
        String tail = " ORDER BY " + String.join(", ", s.order) + " LIMIT " + (max + 1) + " OFFSET " + offset;
        List<Run> rows = db.jdbi().withHandle(h -> {
            Query q = h.createQuery("SELECT r.id FROM runs r " + where + tail).bindList("exps", exps);
            s.binds.forEach(q::bind);
            List<String> ids = q.mapTo(String.class).list().stream().map(String::trim).toList();
            if (ids.isEmpty()) {
                return List.<Run>of();
            }
            Map<String, Run> byId = new LinkedHashMap<>();
            for (Run r : loadRuns(h, "WHERE r.id IN (<ids>)", Map.of("ids", ids), "")) {
                byId.put(r.id(), r);
            }
            return ids.stream().map(byId::get).toList();
        });
        return page(rows, max, offset);
    }

    // ---------------------------------------------------------------- artifacts

    private ArtifactStorage storage(String name) throws IOException {
        if (LocalArtifactStorage.NAME.equals(name)) {
            return local;
        }
        ArtifactStorage s = storages.get(name);
        if (s == null) {
            throw new IOException("artifact storage '" + name + "' is not available: no ArtifactStorage service with "
                    + ArtifactStorage.ARTIFACT_STORAGE + "=" + name + " (configure one, e.g. org.cogwork.artifacts.s3, or set "
                    + "artifact.storage=local)");
        }
        return s;
    }

    static String artifactPath(String path) {
        Checks.require(path, "path");
        String p = path.replace('\\', '/');
        while (p.startsWith("/")) {
            p = p.substring(1);
        }
        for (String seg : p.split("/")) {
            if (seg.isEmpty() || seg.equals(".") || seg.equals("..")) {
                throw new InvalidFieldException("path", "artifact path '" + path + "' must be relative, without empty, '.' or '..' segments");
            }
        }
        return Checks.limit(p, 1000, "path");
    }

    @Override
    public String logArtifact(String runId, String path, InputStream content) throws IOException {
        String p = artifactPath(path);
        Run run = run(runId).orElseThrow(() -> noRun(runId));
        if (!"active".equals(run.lifecycleStage())) {
            throw new InvalidFieldException("run_id", "run '" + runId + "' is deleted: restore it before logging to it");
        }
        String storageKey = run.experimentId() + "/" + run.id() + "/artifacts/" + p;
        String uri = SCHEME + ":/" + storageKey;
        ArtifactStorage storage = storage(storageName);
        Path spool = Files.createTempFile(tmp, "put-", ".tmp");
        try {
            MessageDigest sha = sha256();
            long size;
            try (OutputStream out = Files.newOutputStream(spool); InputStream in = new DigestInputStream(content, sha)) {
                size = in.transferTo(out);
            }
            String hex = HexFormat.of().formatHex(sha.digest());
            try (InputStream in = Files.newInputStream(spool)) {
                storage.put(storageKey, in, size);
            }
            long now = System.currentTimeMillis();
            db.txVoid(h -> {
                h.execute("DELETE FROM artifacts WHERE run_id = ? AND artifact_path = ?", runId, p);
                h.execute("INSERT INTO artifacts (run_id, artifact_path, storage, storage_key, size_bytes, sha256, created) VALUES (?, ?, ?, ?, ?, ?, ?)",
                        runId, p, storageName, storageKey, size, hex, now);
            });
            return uri;
        } finally {
            Files.deleteIfExists(spool);
        }
    }

    @Override
    public Map<String, Long> listArtifacts(String runId) {
        return db.jdbi().withHandle(h -> {
            if (h.createQuery("SELECT COUNT(*) FROM runs WHERE id = ?").bind(0, key(runId)).mapTo(Integer.class).one() == 0) {
                throw noRun(runId);
            }
            Map<String, Long> out = new TreeMap<>();
            h.createQuery("SELECT artifact_path, size_bytes FROM artifacts WHERE run_id = ?").bind(0, runId)
                    .map((rs, c) -> out.put(rs.getString(1), rs.getLong(2))).list();
            return Collections.unmodifiableMap(out);
        });
    }

    @Override
    public InputStream openArtifact(String runId, String path) throws IOException {
        String p = artifactPath(path);
        Map<String, Object> row = db.jdbi().withHandle(h -> {
            if (h.createQuery("SELECT COUNT(*) FROM runs WHERE id = ?").bind(0, key(runId)).mapTo(Integer.class).one() == 0) {
                throw noRun(runId);
            }
            return h.createQuery("SELECT storage, storage_key, size_bytes, sha256 FROM artifacts WHERE run_id = ? AND artifact_path = ?")
                    .bind(0, runId).bind(1, p).mapToMap().findOne().orElse(null);
        });
        if (row == null) {
            throw new FileNotFoundException("run " + runId + " has no artifact '" + p + "'");
        }
        String storageKey = (String) row.get("storage_key");
        String uri = SCHEME + ":/" + storageKey;
        String expected = ((String) row.get("sha256")).trim();
        ArtifactStorage storage = storage((String) row.get("storage"));
        Path copy = Files.createTempFile(tmp, "get-", ".tmp");
        try {
            MessageDigest sha = sha256();
            try (InputStream in = new DigestInputStream(storage.open(storageKey), sha); OutputStream out = Files.newOutputStream(copy)) {
                in.transferTo(out);
            } catch (FileNotFoundException | java.nio.file.NoSuchFileException e) {
                throw new FileNotFoundException("artifact " + uri + " is missing from storage '" + row.get("storage") + "'");
            }
            String actual = HexFormat.of().formatHex(sha.digest());
            if (!actual.equals(expected)) {
                throw new IOException("artifact " + uri + " is corrupt: SHA-256 " + actual + ", recorded " + expected);
            }
            InputStream in = Files.newInputStream(copy);
            return new FilterInputStream(in) {
                @Override
                public void close() throws IOException {
                    try {
                        super.close();
                    } finally {
                        Files.deleteIfExists(copy);
                    }
                }
            };
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(copy);
            throw e;
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private void post(String topic, Map<String, Object> props) {
        Events.post(events, topic, props);
    }
}
