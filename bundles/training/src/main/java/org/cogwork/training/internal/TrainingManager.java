package org.cogwork.training.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.cogwork.api.connector.DataSource;
import org.cogwork.api.connector.DataSourceException;
import org.cogwork.api.connector.UnknownDatasetException;
import org.cogwork.api.data.DataType;
import org.cogwork.api.data.Field;
import org.cogwork.api.data.Row;
import org.cogwork.api.data.RowCursor;
import org.cogwork.api.data.Schema;
import org.cogwork.api.engine.AlgorithmInfo;
import org.cogwork.api.engine.Engine;
import org.cogwork.api.engine.EngineException;
import org.cogwork.api.engine.Task;
import org.cogwork.api.event.Topics;
import org.cogwork.api.feature.FeaturePipelineService;
import org.cogwork.api.query.Query;
import org.cogwork.api.registry.ModelRegistry;
import org.cogwork.api.tracking.ExperimentTracker;
import org.cogwork.api.training.JobStatus;
import org.cogwork.api.training.TrainingService;
import org.cogwork.runtime.rest.ApiException;
import org.cogwork.runtime.rest.Json;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
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
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Validates training specs against the live system (sources, columns, engines, algorithms, transforms) and
 * runs accepted jobs on a bounded pool of worker threads, never on the caller's thread. A job past its time
 * limit is stopped and ends TIMED_OUT, a cancelled one CANCELLED; one whose engine does not stop within the grace
 * period ends ABANDONED.
 */
@Component(service = TrainingService.class, configurationPid = TrainingConfig.PID)
@Designate(ocd = TrainingConfig.class)
public class TrainingManager implements TrainingService {
    private static final Logger LOG = LoggerFactory.getLogger(TrainingManager.class);
    /** Rows scanned at submission to check a classification target has two classes. */
    private static final long TARGET_SCAN_ROWS = 100_000;

    private final Map<String, DataSource> sources = new ConcurrentHashMap<>();
    private final Map<String, Engine> engines = new ConcurrentHashMap<>();
    private final Map<String, Map<String, String>> engineBundles = new ConcurrentHashMap<>();
    private final Map<String, Job> jobs = new ConcurrentHashMap<>();
    private final FeaturePipelineService pipelines;
    private final ThreadPoolExecutor workers;
    private final ScheduledExecutorService timer;
    private final Path artifacts;
    private final long defaultTimeLimit;
    private final long stopGraceSeconds;
    private final Map<String, String> versions;
    private volatile boolean closing;
    private volatile EventAdmin events;
    private volatile ExperimentTracker tracker;
    private volatile ModelRegistry registry;

    @Activate
    public TrainingManager(BundleContext ctx, TrainingConfig config, @Reference FeaturePipelineService pipelines) {
        this(config, pipelines, Path.of(ctx.getProperty("cogwork.data.dir") == null ? "data" : ctx.getProperty("cogwork.data.dir"),
                "trainings"), versions(ctx));
    }

    /** For use outside OSGi (tests, tools). */
    public TrainingManager(TrainingConfig config, FeaturePipelineService pipelines, Path artifacts, Map<String, String> versions) {
        this.pipelines = pipelines;
        this.artifacts = artifacts;
        this.defaultTimeLimit = config.time_limit_seconds();
        this.stopGraceSeconds = Math.max(0, config.stop_grace_seconds());
        this.versions = versions;
        AtomicInteger n = new AtomicInteger();
        this.workers = new ThreadPoolExecutor(config.threads(), config.threads(), 0, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(config.queue()), r -> {
                    Thread t = new Thread(r, "cogwork-training-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "cogwork-training-timer");
            t.setDaemon(true);
            return t;
        });
    }

    private static Map<String, String> versions(BundleContext ctx) {
        Map<String, String> v = new TreeMap<>();
        for (Bundle b : ctx.getBundles()) {
            if (b.getSymbolicName() != null && b.getSymbolicName().startsWith("org.cogwork.")) {
                v.put(b.getSymbolicName(), b.getVersion().toString());
            }
        }
        return v;
    }

    @Deactivate
    public void close() {
        // Stopped jobs end (or are abandoned) on their workers, which record how each ended while the tracker is
        // still there; nothing here interrupts a thread that may be writing to it.
        closing = true;
        jobs.values().forEach(j -> j.stop(false));
        workers.shutdown();
        timer.shutdownNow();
        try {
            if (!workers.awaitTermination(stopGraceSeconds + 5, TimeUnit.SECONDS)) {
                LOG.warn("Training workers still busy after {} s; leaving them", stopGraceSeconds + 5);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    public void addSource(DataSource s) {
        sources.put(s.id(), s);
    }

    public void removeSource(DataSource s) {
        sources.remove(s.id(), s);
    }

    @Reference(service = Engine.class, cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindEngine(ServiceReference<Engine> ref, Engine e) {
        addEngine(e);
        Bundle b = ref.getBundle();
        if (b != null) {
            engineBundles.put(e.info().name(), Map.of("symbolicName", b.getSymbolicName(), "version", b.getVersion().toString()));
        }
    }

    void unbindEngine(ServiceReference<Engine> ref, Engine e) {
        removeEngine(e);
    }

    public void addEngine(Engine e) {
        engines.put(e.info().name(), e);
    }

    public void removeEngine(Engine e) {
        engines.remove(e.info().name(), e);
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    public void setTracker(ExperimentTracker t) {
        this.tracker = t;
    }

    public void unsetTracker(ExperimentTracker t) {
        if (this.tracker == t) {
            this.tracker = null;
        }
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    public void setRegistry(ModelRegistry r) {
        this.registry = r;
    }

    public void unsetRegistry(ModelRegistry r) {
        if (this.registry == r) {
            this.registry = null;
        }
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    void setEvents(EventAdmin e) {
        this.events = e;
    }

    void unsetEvents(EventAdmin e) {
        if (this.events == e) {
            this.events = null;
        }
    }

    @Override
    public String submit(Map<String, Object> spec) {
        return submitJson(Json.MAPPER.valueToTree(spec));
    }

    /** Validates and queues; a spec that cannot run is a {@link SpecException} naming its field. */
    String submitJson(JsonNode json) {
        return submitJson(json, null);
    }

    @Override
    public String reproduce(String runId) {
        ExperimentTracker t = tracker;
        if (t == null) {
            throw new IllegalArgumentException("no experiment tracker is installed: runs cannot be reproduced");
        }
        org.cogwork.api.tracking.Run run = t.run(runId).orElseThrow(() -> new java.util.NoSuchElementException("no run '" + runId + "'"));
        String spec = run.tags().get(Tracking.SPEC_TAG);
        if (spec == null) {
            throw new SpecException("runId", "run '" + runId + "' was not produced by a training job: it has no " + Tracking.SPEC_TAG + " tag");
        }
        try {
            com.fasterxml.jackson.databind.node.ObjectNode json = (com.fasterxml.jackson.databind.node.ObjectNode) Json.MAPPER.readTree(spec);
            json.remove("register"); // reproducing must not register another version or move an alias
            return submitJson(json, runId);
        } catch (java.io.IOException e) {
            throw new SpecException("runId", "the spec recorded with run '" + runId + "' is unreadable: " + e.getMessage());
        }
    }

    private String submitJson(JsonNode json, String reproduces) {
        Spec spec;
        Task task;
        try {
            spec = Spec.parse(json, defaultTimeLimit);
            task = validate(spec);
        } catch (ApiException e) {
            if (e.status() == 400) {
                throw new SpecException(e.field(), e.getMessage());
            }
            throw e;
        }
        Job job = new Job(UUID.randomUUID().toString(), spec, reproduces);
        jobs.put(job.id, job);
        try {
            job.future = workers.submit(() -> execute(job, task));
        } catch (RejectedExecutionException e) {
            jobs.remove(job.id);
            throw new ApiException(429, "too many training jobs are waiting; try again later", null,
                    workers.getQueue().size() + " queued, " + workers.getActiveCount() + " running");
        }
        timer.schedule(() -> {
            if (!job.status.isFinal()) {
                job.stop(true);
                if (job.status == JobStatus.QUEUED) {
                    job.future.cancel(false);
                    finish(job, JobStatus.TIMED_OUT, "time limit reached before it started");
                }
            }
        }, spec.timeLimitSeconds(), TimeUnit.SECONDS);
        LOG.info("Training job {} queued ({} {} on {}/{})", job.id, spec.candidates().get(0).engine(),
                spec.candidates().get(0).algorithm(), spec.source(), spec.dataset());
        return job.id;
    }

    /**
     * Runs on a pool worker, which is never interrupted while a job runs: the tracker's writes (run start and end,
     * metrics, artifacts, model registration) happen here. The job's own work runs on a thread of its own, which
     * a stop interrupts only inside engine calls; an engine that does not stop within the grace period is left
     * behind (ABANDONED) so that it cannot hold a worker.
     */
    private void execute(Job job, Task task) {
        Thread.interrupted(); // a pool thread carries nothing over from an earlier job
        if (job.stopRequested()) {
            finish(job, job.timedOut ? JobStatus.TIMED_OUT : JobStatus.CANCELLED, stopReason(job));
            return;
        }
        synchronized (job) {
            if (job.status.isFinal() || job.finishing) {
                return;
            }
            job.status = JobStatus.RUNNING;
            job.started = java.time.Instant.now();
        }
        ExperimentTracker t = tracker;
        if (t != null) {
            try {
                job.runId = Tracking.start(t, job);
            } catch (RuntimeException e) {
                LOG.warn("Training job {} is not tracked: {}", job.id, e.toString());
            }
        }
        CompletableFuture<Map<String, Object>> work = new CompletableFuture<>();
        Thread runner = new Thread(() -> {
            try {
                work.complete(new TrainingRun(job, task, env()).run());
            } catch (Throwable e) {
                work.completeExceptionally(e);
            }
            job.returned = java.time.Instant.now();
            if (job.status == JobStatus.ABANDONED) {
                LOG.info("Abandoned training job {}: its engine returned after all; what it held is released", job.id);
            }
        }, "cogwork-training-job-" + job.id.substring(0, 8));
        runner.setDaemon(true);
        runner.start();
        Map<String, Object> result;
        try {
            result = await(job, work);
        } catch (TimeoutException e) {
            Thread.interrupted();
            finish(job, JobStatus.ABANDONED, (job.timedOut ? stopReason(job) : "cancelled") + ", and engine '"
                    + job.spec.candidates().get(0).engine() + "' did not stop within " + stopGraceSeconds
                    + " s; its thread '" + runner.getName() + "' is left to return on its own");
            return;
        } catch (ExecutionException e) {
            Thread.interrupted();
            failed(job, e.getCause());
            return;
        }
        Thread.interrupted();
        if (job.stopRequested()) {
            // the result came back as the stop arrived: a cancelled job registers nothing
            finish(job, job.timedOut ? JobStatus.TIMED_OUT : JobStatus.CANCELLED, stopReason(job));
            return;
        }
        try {
            if (job.runId != null) {
                result.put("tracking", Tracking.finish(t, registry, job, job.runId, result, artifacts.resolve(job.id).resolve("model.zip")));
            }
            if (job.reproduces != null && t != null) {
                result.put("reproduction", reproduction(t, job.reproduces, result));
            }
            job.result = result;
            finish(job, JobStatus.SUCCEEDED, null);
        } catch (Exception | LinkageError e) {
            LOG.error("Training job {} could not record its result", job.id, e);
            finish(job, JobStatus.FAILED, "the model was trained but could not be recorded: " + e);
        }
    }

    /**
     * The run's result; an {@link ExecutionException} with its failure; a {@link TimeoutException} when a stop was
     * asked for and the run did not end within the grace period.
     */
    private Map<String, Object> await(Job job, CompletableFuture<Map<String, Object>> work) throws ExecutionException, TimeoutException {
        boolean stopping = false;
        while (true) {
            try {
                if (!stopping) {
                    try {
                        CompletableFuture.anyOf(work, job.stopSignal).get();
                    } catch (ExecutionException e) {
                        // the run failed: work.get() says how
                    }
                    if (work.isDone()) {
                        return work.get();
                    }
                    stopping = true;
                }
                return work.get(stopGraceSeconds, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                // the component is going away: stop the job as a cancel would, and still record how it ended
                job.stop(false);
            }
        }
    }

    private static String stopReason(Job job) {
        return job.timedOut ? "time limit reached (" + job.spec.timeLimitSeconds() + " s)" : "training cancelled";
    }

    private void failed(Job job, Throwable e) {
        JobStatus stopped = job.timedOut ? JobStatus.TIMED_OUT : job.cancelRequested ? JobStatus.CANCELLED : null;
        if (stopped != null) {
            // the reason is the stop, whatever the engine made of it
            finish(job, stopped, stopReason(job));
        } else if (e instanceof EngineException || e instanceof InterruptedException) {
            finish(job, JobStatus.FAILED, e.getMessage());
        } else if (e instanceof IllegalArgumentException) {
            finish(job, JobStatus.FAILED, e.getMessage());
        } else {
            LOG.error("Training job {} failed", job.id, e);
            finish(job, JobStatus.FAILED, e.toString());
        }
    }

    /** Ends the job once: its run's end is recorded first, so a job seen in a final state has its run ended too. */
    private void finish(Job job, JobStatus status, String error) {
        synchronized (job) {
            if (job.status.isFinal() || job.finishing) {
                return;
            }
            job.finishing = true;
        }
        if (closing && status != JobStatus.SUCCEEDED) {
            error = "Cogwork stopped while the job was queued or running" + (error == null ? "" : ": " + error);
        }
        ExperimentTracker t = tracker;
        if (status != JobStatus.SUCCEEDED && job.runId != null && t != null) {
            boolean interrupted = Thread.interrupted(); // never write to the tracker with an interrupt pending (see Job)
            try {
                Tracking.failed(t, job.runId, status, error);
            } catch (RuntimeException e) {
                LOG.warn("Could not record the end of run {}: {}", job.runId, e.toString());
            } finally {
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        synchronized (job) {
            job.error = error;
            job.finished = java.time.Instant.now();
            job.phase = status == JobStatus.SUCCEEDED ? "done" : status.name().toLowerCase(java.util.Locale.ROOT);
            job.status = status;
        }
        publish(job, status, error);
    }

    /** Compares a reproduction's metrics and data hash with the original run's. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> reproduction(ExperimentTracker t, String originalRunId, Map<String, Object> result) {
        org.cogwork.api.tracking.Run original = t.run(originalRunId).orElseThrow();
        Map<String, Double> now = (Map<String, Double>) result.getOrDefault("metrics", Map.of());
        Map<String, Double> before = new java.util.TreeMap<>();
        original.metrics().forEach((k, p) -> {
            if (now.containsKey(k)) {
                before.put(k, p.value());
            }
        });
        Map<String, Object> differences = new java.util.TreeMap<>();
        now.forEach((k, v) -> {
            Double b = before.get(k);
            if (b == null || Double.compare(b, v) != 0) {
                differences.put(k, Map.of("original", b == null ? "missing" : b, "reproduced", v));
            }
        });
        Object hash = ((Map<String, Object>) ((Map<String, Object>) result.get("provenance")).get("data")).get("sha256");
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("run", originalRunId);
        r.put("metricsMatch", differences.isEmpty());
        r.put("dataMatch", String.valueOf(hash).equals(original.tags().get("cogwork.data.sha256")));
        r.put("differences", differences);
        return r;
    }

    private void publish(Job job, JobStatus status, String error) {
        LOG.info("Training job {} {}{}", job.id, status, error == null ? "" : ": " + error);
        EventAdmin ea = events;
        if (ea != null) {
            Map<String, Object> p = new LinkedHashMap<>();
            p.put(Topics.JOB_ID, job.id);
            p.put(Topics.JOB_STATUS, status.name());
            p.put(Topics.ENGINE_NAME, job.spec.candidates().get(0).engine());
            p.put(Topics.TIMESTAMP, System.currentTimeMillis());
            ea.postEvent(new Event(Topics.TRAINING_FINISHED, p));
        }
    }

    private TrainingRun.Env env() {
        return new TrainingRun.Env() {
            @Override
            public DataSource source(String id) {
                DataSource s = sources.get(id);
                if (s == null) {
                    throw new IllegalArgumentException("data source '" + id + "' went away");
                }
                return s;
            }

            @Override
            public Engine engine(String name) {
                Engine e = engines.get(name);
                if (e == null) {
                    throw new IllegalArgumentException("engine '" + name + "' went away");
                }
                return e;
            }

            @Override
            public Map<String, String> engineBundle(String name) {
                return engineBundles.getOrDefault(name, Map.of());
            }

            @Override
            public FeaturePipelineService pipelines() {
                return pipelines;
            }

            @Override
            public Path artifacts() {
                return artifacts;
            }

            @Override
            public Map<String, String> platformVersions() {
                return versions;
            }
        };
    }

    /** Checks the spec against what is installed and the data's schema; returns the task (inferred if absent). */
    Task validate(Spec spec) {
        DataSource source = sources.get(spec.source());
        if (source == null) {
            throw ApiException.badRequest("source", "no data source '" + spec.source() + "'; sources are "
                    + new java.util.TreeSet<>(sources.keySet()));
        }
        Schema schema;
        try {
            schema = source.schema(spec.dataset());
            source.read(spec.dataset(), spec.query());
        } catch (UnknownDatasetException e) {
            throw ApiException.badRequest("dataset", e.getMessage());
        } catch (DataSourceException e) {
            throw new ApiException(502, "source '" + spec.source() + "' could not be read", "source", e.getMessage());
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("query", e.getMessage());
        }
        List<String> names = schema.fields().stream().map(Field::name).toList();
        Task task = spec.task();
        if (spec.target() != null) {
            Field target = schema.field(spec.target()).orElseThrow(() -> ApiException.badRequest("target",
                    "column '" + spec.target() + "' is not in " + spec.dataset() + "; columns are " + names));
            if (task == null) {
                task = target.type().isNumeric() ? Task.REGRESSION : Task.CLASSIFICATION;
            }
            if (task == Task.REGRESSION && !target.type().isNumeric()) {
                throw ApiException.badRequest("target", "regression needs a numeric target; '" + target.name() + "' is " + target.type());
            }
            if (task == Task.CLASSIFICATION) {
                checkClasses(source, spec, target.name());
            }
        }
        if (task == null) {
            throw ApiException.badRequest("task", "task is required when there is no target");
        }
        if (spec.features() != null) {
            for (int i = 0; i < spec.features().size(); i++) {
                if (!names.contains(spec.features().get(i))) {
                    throw ApiException.badRequest("features[" + i + "]", "column '" + spec.features().get(i) + "' is not in "
                            + spec.dataset() + "; columns are " + names);
                }
            }
        }
        if (spec.split().timeColumn() != null) {
            Field f = schema.field(spec.split().timeColumn()).orElseThrow(() -> ApiException.badRequest("split.timeColumn",
                    "column '" + spec.split().timeColumn() + "' is not in " + spec.dataset()));
            if (f.type() != DataType.DATE && f.type() != DataType.TIMESTAMP && !f.type().isNumeric()) {
                throw ApiException.badRequest("split.timeColumn", "column '" + f.name() + "' is " + f.type() + ", not a time");
            }
            if (spec.features() != null && !spec.features().contains(f.name())) {
                throw ApiException.badRequest("split.timeColumn", "the time column '" + f.name() + "' must be one of the features "
                        + "(a calendar transform turns it into numbers)");
            }
        }
        Set<String> transforms = new HashSet<>(pipelines.transforms());
        for (int i = 0; i < spec.pipeline().size(); i++) {
            if (!transforms.contains(spec.pipeline().get(i).transform())) {
                throw ApiException.badRequest("pipeline[" + i + "].transform", "unknown transform '"
                        + spec.pipeline().get(i).transform() + "'; available: " + pipelines.transforms());
            }
        }
        for (Spec.Candidate c : spec.candidates()) {
            String p = c.path().isEmpty() ? "" : c.path() + ".";
            Engine e = engines.get(c.engine());
            if (e == null) {
                throw ApiException.badRequest(p + "engine", "unknown engine '" + c.engine() + "'; engines are "
                        + new java.util.TreeSet<>(engines.keySet()));
            }
            Task t = task;
            List<String> algorithms = e.info().algorithms().stream().filter(a -> a.task() == t).map(AlgorithmInfo::name).toList();
            if (!algorithms.contains(c.algorithm())) {
                throw ApiException.badRequest(p + "algorithm", "engine '" + c.engine() + "' has no " + t.name().toLowerCase(java.util.Locale.ROOT)
                        + " algorithm '" + c.algorithm() + "'; use one of " + algorithms);
            }
            // Names are checked here, against what the engine lists, so a typo is a 400 and not a failed job; values
            // are the engine's to check when it trains.
            Set<String> known = e.info().algorithm(c.algorithm(), t).parameters().keySet();
            String spacePath = c.path().isEmpty() ? "search.space" : p + "space";
            for (String key : c.hyperparameters().keySet()) {
                requireParameter(known, key, p + "hyperparameters." + key, c);
            }
            for (String key : c.space().keySet()) {
                requireParameter(known, key, spacePath + "." + key, c);
            }
        }
        return task;
    }

    private static void requireParameter(Set<String> known, String key, String field, Spec.Candidate c) {
        if (!known.contains(key)) {
            throw ApiException.badRequest(field, "algorithm '" + c.algorithm() + "' of engine '" + c.engine()
                    + "' has no hyperparameter '" + key + "'; it has " + new java.util.TreeSet<>(known));
        }
    }

    private static void checkClasses(DataSource source, Spec spec, String target) {
        Set<String> classes = new java.util.TreeSet<>();
        Query q = new Query(List.of(target), spec.query().where(), List.of(), TARGET_SCAN_ROWS, 0);
        try (RowCursor c = source.read(spec.dataset(), q).open()) {
            while (c.hasNext() && classes.size() < 2) {
                Row r = c.next();
                if (r.get(0) != null) {
                    classes.add(r.get(0).toString());
                }
            }
        } catch (DataSourceException e) {
            throw new ApiException(502, "source '" + spec.source() + "' could not be read", "source", e.getMessage());
        }
        if (classes.size() < 2) {
            throw ApiException.badRequest("target", "target '" + target + "' has " + (classes.isEmpty() ? "no values"
                    : "a single class '" + classes.iterator().next() + "'") + ": classification needs at least two classes");
        }
    }

    @Override
    public Optional<Map<String, Object>> job(String id) {
        return Optional.ofNullable(jobs.get(id)).map(Job::view);
    }

    @Override
    public List<Map<String, Object>> jobs() {
        List<Job> all = new ArrayList<>(jobs.values());
        all.sort(Comparator.comparing((Job j) -> j.created).reversed());
        List<Map<String, Object>> out = new ArrayList<>();
        for (Job j : all) {
            Map<String, Object> v = new LinkedHashMap<>(j.view());
            v.remove("spec");
            v.remove("result");
            out.add(v);
        }
        return out;
    }

    @Override
    public boolean cancel(String id) {
        Job j = jobs.get(id);
        if (j == null || j.status.isFinal()) {
            return false;
        }
        j.stop(false);
        if (j.status == JobStatus.QUEUED) {
            j.future.cancel(false);
            // a job cancelled in the queue never runs, so nothing else would end it
            finish(j, JobStatus.CANCELLED, "cancelled before it started");
        }
        return true;
    }

    @Override
    public Optional<JobStatus> status(String id) {
        return Optional.ofNullable(jobs.get(id)).map(j -> j.status);
    }

    /** The artifact file of a succeeded job. */
    Optional<Path> artifact(String id) {
        Job j = jobs.get(id);
        if (j == null || j.status != JobStatus.SUCCEEDED) {
            return Optional.empty();
        }
        return Optional.of(artifacts.resolve(id).resolve("model.zip"));
    }
}
