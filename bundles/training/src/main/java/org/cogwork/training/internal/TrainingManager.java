package org.cogwork.training.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
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
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
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
import org.cogwork.api.service.NamedServices;
import org.cogwork.api.tracking.ExperimentTracker;
import org.cogwork.api.tracking.Run;
import org.cogwork.api.training.JobStatus;
import org.cogwork.api.training.TrainingJob;
import org.cogwork.api.training.TrainingResult;
import org.cogwork.api.training.TrainingService;
import org.cogwork.api.problem.ApiException;
import org.cogwork.api.problem.InvalidFieldException;
import org.cogwork.api.problem.NotFoundException;
import org.cogwork.api.problem.TooManyRequestsException;
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
import org.osgi.service.event.EventAdmin;
import org.osgi.service.metatype.annotations.Designate;
import org.cogwork.api.event.Events;
import org.cogwork.persistence.Database;
import java.io.InputStream;
import java.nio.file.Files;
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
    /** Requests that may wait for a job's end at once (each holds one of the HTTP server's threads meanwhile). */
    static final int MAX_WAITERS = 32;
    /** The longest a request may wait for a job's end. */
    static final int MAX_WAIT_SECONDS = 60;

    /** By source id and by engine name, one provider per name (see {@link NamedServices}). */
    private final NamedServices<DataSource> sources = new NamedServices<>(DataSource.SOURCE_ID);
    private final NamedServices<Engine> engines = new NamedServices<>(Engine.ENGINE_NAME);
    /** The bundle of each engine service, for provenance. */
    private final Map<Engine, Map<String, String>> engineBundles = new ConcurrentHashMap<>();
    /** Jobs not finished yet; finished ones are read from {@link #store}. */
    private final Map<String, Job> jobs = new ConcurrentHashMap<>();
    private final java.util.concurrent.Semaphore waiters = new java.util.concurrent.Semaphore(MAX_WAITERS);
    private final JobStore store;
    private final int retainCount;
    private final java.time.Duration retainAge;
    /** Runs of jobs interrupted in an earlier life, to be ended once a tracker is there. */
    private final List<JobStore.Interrupted> unendedRuns = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final FeaturePipelineService pipelines;
    /** When this start of the node began: jobs created before it and left unfinished are the interrupted ones. */
    private final java.time.Instant startedAt = java.time.Instant.now();
    private final ThreadPoolExecutor workers;
    private final ScheduledThreadPoolExecutor timer;
    private final Path artifacts;
    private final long defaultTimeLimit;
    private final long stopGraceSeconds;
    private final Map<String, String> versions;
    private volatile boolean closing;
    private volatile EventAdmin events;
    private volatile ExperimentTracker tracker;
    private volatile ModelRegistry registry;

    @Activate
    public TrainingManager(BundleContext ctx, TrainingConfig config, @Reference FeaturePipelineService pipelines, @Reference Database db) {
        this(config, pipelines, dataDir(ctx).resolve("trainings"), versions(ctx), db, nodeId(dataDir(ctx)));
    }

    /**
     * For use outside OSGi (tests, tools).
     *
     * @param node this runtime's identity among those sharing {@code db}: only its own unfinished jobs are marked
     *     interrupted when it starts
     */
    public TrainingManager(TrainingConfig config, FeaturePipelineService pipelines, Path artifacts, Map<String, String> versions,
                           Database db, String node) {
        this.pipelines = pipelines;
        this.artifacts = artifacts;
        this.store = new JobStore(db, node);
        this.retainCount = Math.max(0, config.jobs_retain_count());
        this.retainAge = java.time.Duration.ofDays(Math.max(0, config.jobs_retain_days()));
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
        this.timer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "cogwork-training-timer");
            t.setDaemon(true);
            return t;
        });
        // a finished job's time-limit task is cancelled, and must not keep the job (and its result) in the queue
        timer.setRemoveOnCancelPolicy(true);
        // off the activating thread: the first database call waits for the store to open and migrate
        timer.execute(this::recover);
        timer.scheduleWithFixedDelay(this::saveProgress, 2, 2, TimeUnit.SECONDS);
        timer.scheduleWithFixedDelay(this::sweep, 1, 10, TimeUnit.MINUTES);
    }

    private static Path dataDir(BundleContext ctx) {
        String d = ctx.getProperty("cogwork.data.dir");
        return Path.of(d == null ? "data" : d);
    }

    /**
     * This runtime's identity among the runtimes sharing one database: a random id kept in {@code data/node-id},
     * made at the first start (a home copied elsewhere keeps it; two homes never share one).
     */
    static String nodeId(Path data) {
        Path file = data.resolve("node-id");
        try {
            if (Files.exists(file)) {
                String id = Files.readString(file).strip();
                if (!id.isEmpty()) {
                    return id;
                }
            }
            Files.createDirectories(data);
            String id = UUID.randomUUID().toString();
            Path tmp = Files.createTempFile(data, "node-id", ".tmp");
            Files.writeString(tmp, id + "\n");
            Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            return id;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot read or make " + file, e);
        }
    }

    /** Jobs an earlier life of this node left queued or running are INTERRUPTED, their runs failed; old jobs swept. */
    private void recover() {
        try {
            List<JobStore.Interrupted> left = store.interruptLeftovers(java.time.Instant.now(), startedAt);
            for (JobStore.Interrupted i : left) {
                LOG.warn("Training job {} was interrupted: Cogwork stopped while it was queued or running", i.id());
                Events.post(events, Topics.TRAINING_FINISHED, Map.of(Topics.JOB_ID, i.id(), Topics.JOB_STATUS, JobStatus.INTERRUPTED.name(),
                        Topics.REASON, "Cogwork stopped while the job was queued or running"));
                if (i.runId() != null) {
                    unendedRuns.add(i);
                }
            }
            endInterruptedRuns();
            sweep();
        } catch (RuntimeException e) {
            LOG.error("Could not mark the jobs of an earlier run as interrupted: {}", e.toString());
        }
    }

    private void endInterruptedRuns() {
        ExperimentTracker t = tracker;
        if (t == null) {
            return;
        }
        for (JobStore.Interrupted i : unendedRuns) {
            try {
                Tracking.failed(t, i.runId(), JobStatus.INTERRUPTED, "Cogwork stopped while the job was running");
            } catch (RuntimeException e) {
                LOG.warn("Could not end run {} of interrupted job {}: {}", i.runId(), i.id(), e.toString());
            }
            unendedRuns.remove(i);
        }
    }

    /** Writes the progress of running jobs that moved since it was last written (at most every 2 s per job). */
    private void saveProgress() {
        for (Job j : jobs.values()) {
            if (j.status == JobStatus.RUNNING && j.progressChanged()) {
                try {
                    store.updateProgress(j);
                } catch (RuntimeException e) {
                    LOG.debug("Could not save the progress of job {}: {}", j.id, e.toString());
                }
            }
        }
    }

    private void sweep() {
        try {
            int n = store.sweep(retainCount, retainAge, java.time.Instant.now());
            if (n > 0) {
                LOG.info("Deleted {} finished training jobs beyond the retention policy ({} jobs, {} days)", n, retainCount, retainAge.toDays());
            }
        } catch (RuntimeException e) {
            LOG.warn("Could not apply the training jobs' retention policy: {}", e.toString());
        }
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

    @Reference(service = DataSource.class, cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, updated = "updatedSource")
    void bindSource(ServiceReference<DataSource> ref, DataSource s) {
        sources.add(ref, s);
    }

    void updatedSource(ServiceReference<DataSource> ref) {
        sources.modified(ref);
    }

    void unbindSource(ServiceReference<DataSource> ref) {
        sources.remove(ref);
    }

    /** Outside OSGi (tests, tools): a source under its id, after those added before. */
    public void addSource(DataSource s) {
        sources.add(s.id(), s);
    }

    @Reference(service = Engine.class, cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, updated = "updatedEngine")
    void bindEngine(ServiceReference<Engine> ref, Engine e) {
        Bundle b = ref.getBundle();
        if (b != null) {
            engineBundles.put(e, Map.of("symbolicName", b.getSymbolicName(), "version", b.getVersion().toString()));
        }
        engines.add(ref, e);
    }

    void updatedEngine(ServiceReference<Engine> ref) {
        engines.modified(ref);
    }

    void unbindEngine(ServiceReference<Engine> ref, Engine e) {
        engines.remove(ref);
        engineBundles.remove(e);
    }

    /** Outside OSGi (tests, tools): an engine under its name, after those added before. */
    public void addEngine(Engine e) {
        engines.add(e.info().name(), e);
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    public void setTracker(ExperimentTracker t) {
        this.tracker = t;
        if (!unendedRuns.isEmpty()) {
            timer.execute(this::endInterruptedRuns);
        }
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
    public String submit(Map<String, Object> spec, String user) {
        return submit(bind(Json.MAPPER.valueToTree(spec)), user);
    }

    /**
     * Binds a spec given as JSON exactly as the REST layer binds a body: unknown fields, wrong types and values out
     * of range are 400s naming the JSON path.
     */
    static TrainingSpecRequest bind(JsonNode json) {
        if (json == null || !json.isObject()) {
            throw new InvalidFieldException("body", "a training spec must be a JSON object");
        }
        try {
            return Json.MAPPER.treeToValue(json, TrainingSpecRequest.class);
        } catch (JsonProcessingException e) {
            throw Json.badRequest(e);
        }
    }

    /**
     * Validates and queues a spec for {@code user} (recorded on the job and as its run's user).
     *
     * @throws InvalidFieldException naming the field of a spec that cannot run
     * @throws TooManyRequestsException when the queue is full
     */
    String submit(TrainingSpecRequest request, String user) {
        return submit(request, user, null);
    }

    @Override
    public String reproduce(String runId, String user) {
        ExperimentTracker t = tracker;
        if (t == null) {
            throw new ApiException(503, "no experiment tracker is installed: runs cannot be reproduced", null, null);
        }
        Run run = t.run(runId).orElseThrow(() -> new NotFoundException("no run '" + runId + "'"));
        String spec = run.tags().get(Tracking.SPEC_TAG);
        if (spec == null) {
            throw new InvalidFieldException("runId", "run '" + runId + "' was not produced by a training job: it has no " + Tracking.SPEC_TAG + " tag");
        }
        TrainingSpecRequest request;
        try {
            ObjectNode json = (ObjectNode) Json.MAPPER.readTree(spec);
            json.remove("register"); // reproducing must not register another version or move an alias
            request = bind(json);
        } catch (java.io.IOException | ClassCastException e) {
            throw new InvalidFieldException("runId", "the spec recorded with run '" + runId + "' is unreadable");
        } catch (ApiException e) {
            // bound as strictly as a new spec: one recorded by an older, more lenient version may no longer bind
            throw new InvalidFieldException("runId", "the spec recorded with run '" + runId + "' is no longer valid: "
                    + e.field() + ": " + e.getMessage());
        }
        return submit(request, user, runId);
    }

    private String submit(TrainingSpecRequest request, String user, String reproduces) {
        Spec spec = Spec.of(request, defaultTimeLimit);
        Task task = validate(spec);
        Job job = new Job(UUID.randomUUID().toString(), spec, user, reproduces);
        store.insert(job); // before the 202: an acknowledged job is never lost
        jobs.put(job.id, job);
        try {
            job.future = workers.submit(() -> execute(job, task));
        } catch (RejectedExecutionException e) {
            jobs.remove(job.id);
            store.delete(job.id);
            throw new TooManyRequestsException("too many training jobs are waiting (" + workers.getQueue().size() + " queued, "
                    + workers.getActiveCount() + " running); try again later", 5);
        }
        job.timeLimit = timer.schedule(() -> {
            if (!job.status.isFinal()) {
                job.stop(true);
                if (job.status == JobStatus.QUEUED) {
                    job.future.cancel(false);
                    finish(job, JobStatus.TIMED_OUT, "time limit reached before it started");
                }
            }
        }, spec.timeLimitSeconds(), TimeUnit.SECONDS);
        if (job.status.isFinal()) {
            job.timeLimit.cancel(false); // it ended before its time limit was set
        }
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
                Run run = Tracking.start(t, job);
                job.experimentId = run.experimentId();
                job.runId = run.id();
            } catch (RuntimeException e) {
                LOG.warn("Training job {} is not tracked: {}", job.id, e.toString());
            }
        }
        save(job);
        Map<String, Object> started = new LinkedHashMap<>();
        started.put(Topics.JOB_ID, job.id);
        started.put(Topics.ENGINE_NAME, job.spec.candidates().get(0).engine());
        started.put(Topics.RUN_ID, job.runId);
        started.put(Topics.USER, job.user);
        Events.post(events, Topics.TRAINING_STARTED, started);
        CompletableFuture<TrainingResult> work = new CompletableFuture<>();
        Thread runner = new Thread(() -> {
            try {
                work.complete(new TrainingRun(job, task, env()).run());
            } catch (Throwable e) {
                work.completeExceptionally(e);
            }
            job.returned = java.time.Instant.now();
            if (job.status == JobStatus.ABANDONED) {
                LOG.info("Abandoned training job {}: its engine returned after all; what it held is released", job.id);
                save(job); // the stored view shows when it was released
            }
        }, "cogwork-training-job-" + job.id.substring(0, 8));
        runner.setDaemon(true);
        runner.start();
        TrainingResult result;
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
                result = result.withTracking(Tracking.finish(t, registry, job, job.runId, result, artifacts.resolve(job.id).resolve("model.zip")));
                // the artifact store (local folder or S3) holds it now: no copy stays on this node's disk
                deleteLocalArtifact(job.id);
            }
            if (job.reproduces != null && t != null) {
                result = result.withReproduction(reproduction(t, job.reproduces, result));
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
    private TrainingResult await(Job job, CompletableFuture<TrainingResult> work) throws ExecutionException, TimeoutException {
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
        } else if (e instanceof OutOfMemoryError) {
            // the heap is capped (bin/cogwork): say which knob a bigger training needs
            long heapMb = Runtime.getRuntime().maxMemory() >> 20;
            long suggestGb = Math.max(2, (2 * heapMb + 1023) / 1024);
            LOG.error("Training job {} ran out of memory (Java heap of {} MB): {}", job.id, heapMb, e.toString());
            finish(job, JobStatus.FAILED, "out of memory (" + e + "): this training needs more than the " + heapMb
                    + " MB Java heap; start Cogwork with a larger one (COGWORK_HEAP=" + suggestGb
                    + "g bin/cogwork run) or train on fewer rows or features");
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
        java.time.Instant finished = java.time.Instant.now();
        // stored, and the retention policy applied, before the job shows it has ended: a client that has seen it
        // ended finds it so after a kill -9, and finds the jobs beyond the policy gone
        boolean stored = save(job, job.ended(status, finished, error));
        if (stored) {
            sweep();
        }
        synchronized (job) {
            job.error = error;
            job.finished = finished;
            job.phase = Job.endPhase(status);
            job.status = status;
        }
        if (stored && status == JobStatus.ABANDONED && job.returned != null) {
            // its engine returned while the ended view was being stored, before the runner could see ABANDONED and
            // store when it let go (the runner stores that itself when it returns later)
            save(job);
        }
        java.util.concurrent.Future<?> limit = job.timeLimit;
        if (limit != null) {
            limit.cancel(false);
        }
        if (stored) {
            jobs.remove(job.id, job); // read from the store from now on
        }
        job.ended.complete(null);
        publish(job, status, error);
    }

    /** Writes the job to the store; {@code false} (and the job stays in memory) when the store cannot be written. */
    private boolean save(Job job) {
        return save(job, job.view());
    }

    private boolean save(Job job, TrainingJob view) {
        boolean interrupted = Thread.interrupted();
        try {
            store.update(view);
            return true;
        } catch (RuntimeException e) {
            LOG.error("Could not save training job {} ({}): {}", job.id, view.status(), e.toString());
            return false;
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void deleteLocalArtifact(String id) {
        Path dir = artifacts.resolve(id);
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) {
                Files.deleteIfExists(f);
            }
            Files.deleteIfExists(dir);
        } catch (java.io.IOException e) {
            LOG.warn("Could not delete the local copy of job {}'s artifact in {}: {}", id, dir, e.toString());
        }
    }

    /** Compares a reproduction's metrics and data hash with the original run's. */
    private static TrainingResult.Reproduction reproduction(ExperimentTracker t, String originalRunId, TrainingResult result) {
        Run original = t.run(originalRunId).orElseThrow();
        Map<String, Double> now = result.metrics() == null ? Map.of() : result.metrics();
        Map<String, Double> before = new java.util.TreeMap<>();
        original.metrics().forEach((k, p) -> {
            if (now.containsKey(k)) {
                before.put(k, p.value());
            }
        });
        Map<String, TrainingResult.Difference> differences = new java.util.TreeMap<>();
        now.forEach((k, v) -> {
            Double b = before.get(k);
            if (b == null || Double.compare(b, v) != 0) {
                differences.put(k, new TrainingResult.Difference(b == null ? TrainingResult.Difference.MISSING : b, v));
            }
        });
        Object hash = result.provenance().get("data") instanceof Map<?, ?> data ? data.get("sha256") : null;
        return new TrainingResult.Reproduction(originalRunId, differences.isEmpty(),
                String.valueOf(hash).equals(original.tags().get("cogwork.data.sha256")), differences);
    }

    private void publish(Job job, JobStatus status, String error) {
        LOG.info("Training job {} {}{}", job.id, status, error == null ? "" : ": " + error);
        Map<String, Object> p = new LinkedHashMap<>();
        p.put(Topics.JOB_ID, job.id);
        p.put(Topics.JOB_STATUS, status.name());
        p.put(Topics.ENGINE_NAME, job.spec.candidates().get(0).engine());
        p.put(Topics.RUN_ID, job.runId);
        p.put(Topics.USER, job.user);
        p.put(Topics.REASON, error);
        TrainingResult.Tracking tracking = job.result == null ? null : job.result.tracking();
        if (tracking != null) {
            p.put(Topics.MODEL_NAME, tracking.model());
            p.put(Topics.MODEL_VERSION, tracking.version());
        }
        Events.post(events, Topics.TRAINING_FINISHED, p);
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
                Engine e = engines.get(name);
                return e == null ? Map.of() : engineBundles.getOrDefault(e, Map.of());
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
                    + sources.names());
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
        TestSets.validate(spec, sources.inUse(), schema);
        pipelines.validate(spec.pipeline());
        for (Spec.Candidate c : spec.candidates()) {
            String p = c.path().isEmpty() ? "" : c.path() + ".";
            Engine e = engines.get(c.engine());
            if (e == null) {
                throw ApiException.badRequest(p + "engine", "unknown engine '" + c.engine() + "'; engines are "
                        + engines.names());
            }
            Task t = task;
            List<String> algorithms = e.info().algorithms().stream().filter(a -> a.task() == t).map(AlgorithmInfo::name).toList();
            if (!algorithms.contains(c.algorithm())) {
                throw ApiException.badRequest(p + "algorithm", "engine '" + c.engine() + "' has no " + t.name().toLowerCase(java.util.Locale.ROOT)
                        + " algorithm '" + c.algorithm() + "'; use one of " + algorithms);
            }
            // Names and values are checked by the engine against its declared hyperparameters (and what else it can
            // judge without data, e.g. a file path), so a typo or a value out of range is a 400 and not a failed job;
            // each value of a search space with the fixed ones, as the search will try it.
            checkHyperparameters(e, c, t, c.hyperparameters(), null, null);
            String spacePath = c.path().isEmpty() ? "search.space" : p + "space";
            for (Map.Entry<String, List<Object>> s : c.space().entrySet()) {
                for (Object value : s.getValue()) {
                    Map<String, Object> point = new LinkedHashMap<>(c.hyperparameters());
                    point.put(s.getKey(), value);
                    checkHyperparameters(e, c, t, point, s.getKey(), spacePath + "." + s.getKey());
                }
            }
        }
        return task;
    }

    /** The engine's check, its field ({@code hyperparameters.x}) made a path into the spec ({@code key}'s is {@code keyField}). */
    private static void checkHyperparameters(Engine e, Spec.Candidate c, Task t, Map<String, Object> values, String key, String keyField) {
        String p = c.path().isEmpty() ? "" : c.path() + ".";
        try {
            e.checkHyperparameters(c.algorithm(), t, values);
        } catch (InvalidFieldException bad) {
            String field = bad.field() == null ? "hyperparameters" : bad.field();
            throw ApiException.badRequest(field.equals("hyperparameters." + key) ? keyField : p + field, bad.getMessage());
        } catch (IllegalArgumentException bad) { // an engine built before api.engine 0.4 names it in the message
            String named = values.keySet().stream().filter(k -> String.valueOf(bad.getMessage()).contains("'" + k + "'"))
                    .findFirst().map(k -> k.equals(key) ? keyField : p + "hyperparameters." + k).orElse(p + "hyperparameters");
            throw ApiException.badRequest(named, bad.getMessage());
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

    /**
     * The job as {@link #job(String)} shows it, once it has ended or {@code wait} has passed, whichever comes first: a
     * client waits for a job's end without polling. At most {@link #MAX_WAITERS} calls wait at once (each holds a
     * request thread); beyond them, and when interrupted, the job is shown as it is at once.
     */
    Optional<TrainingJob> job(String id, java.time.Duration wait) {
        Job live = jobs.get(id);
        if (live != null && !wait.isZero() && waiters.tryAcquire()) {
            try {
                live.ended.get(wait.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException | ExecutionException e) {
                // shown as it is now
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                waiters.release();
            }
        }
        return job(id);
    }

    @Override
    public Optional<TrainingJob> job(String id) {
        Job live = jobs.get(id);
        // as JSON types (strings for times and states) whether the job is live or stored: callers see one shape
        return live != null ? Optional.of(JobStore.asJson(live.view())) : store.find(id);
    }

    /** How many jobs are held in memory: only the unfinished ones. */
    int jobsInMemory() {
        return jobs.size();
    }

    /** One-off timer tasks still queued: the time limits of unfinished jobs (each holds its job). */
    long timeLimitsQueued() {
        return timer.getQueue().stream()
                .filter(r -> !(r instanceof java.util.concurrent.RunnableScheduledFuture<?> f && f.isPeriodic())).count();
    }

    /** The newest jobs kept (at most the retention count), newest first; unfinished ones as they are now. */
    @Override
    public List<TrainingJob> jobs() {
        List<TrainingJob> out = new ArrayList<>();
        for (TrainingJob stored : store.list(Math.max(1, retainCount) + jobs.size())) {
            Job live = jobs.get(stored.id());
            out.add(live == null ? stored : live.view().summary());
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
        Job live = jobs.get(id);
        return live != null ? Optional.of(live.status) : store.status(id);
    }

    /**
     * The model.zip of a succeeded job, from the artifact store its run logged it to (any node sharing the database
     * and the store can serve it); from this node's disk only when no tracker was installed when it ran.
     */
    Optional<InputStream> openArtifact(String id) throws java.io.IOException {
        Optional<TrainingJob> view = job(id);
        if (view.isEmpty() || view.get().status() != JobStatus.SUCCEEDED) {
            return Optional.empty();
        }
        TrainingResult r = view.get().result();
        String runId = r == null || r.tracking() == null ? null : r.tracking().runId();
        if (runId != null) {
            ExperimentTracker t = tracker;
            if (t == null) {
                throw new ApiException(503, "no experiment tracker is installed: the artifact store cannot be read", null, null);
            }
            return Optional.of(t.openArtifact(runId, "model/model.zip"));
        }
        Path local = artifacts.resolve(id).resolve("model.zip");
        return Files.exists(local) ? Optional.of(Files.newInputStream(local)) : Optional.empty();
    }
}
