package org.cogwork.training.internal;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import org.cogwork.api.training.JobStatus;
import org.cogwork.api.training.TrainingJob;
import org.cogwork.api.training.TrainingResult;

/**
 * One training job's state as the REST API shows it. Written by its worker thread, read by anyone.
 *
 * <p>Interrupts stay inside engine calls: {@link #stop} interrupts the job's run thread only while it is in
 * {@link #engineCall}, and the flag is cleared when the call returns. A thread that writes to a database through an
 * interruptible channel (H2's files) would otherwise have that channel, and the whole database, closed.
 */
final class Job {
    final String id;
    final Spec spec;
    final Instant created = Instant.now();
    volatile JobStatus status = JobStatus.QUEUED;
    volatile Instant started;
    volatile Instant finished;
    volatile String error;
    volatile String phase = "queued";
    volatile long step;
    volatile long total;
    volatile Map<String, Double> progressMetrics = Map.of();
    volatile TrainingResult result;
    volatile boolean cancelRequested;
    volatile boolean timedOut;
    volatile Future<?> future;
    /** The task that stops the job at its time limit; cancelled when the job ends, so that it lets go of the job. */
    volatile Future<?> timeLimit;
    /** Completed when a cancel or the time limit asks the job to stop; its worker waits on this or on the run. */
    final CompletableFuture<Void> stopSignal = new CompletableFuture<>();
    /** Completed once the job shows its final state (stored first): what a caller waiting for its end waits on. */
    final CompletableFuture<Void> ended = new CompletableFuture<>();
    /** The thread inside an engine call, or {@code null}; guarded by {@code this}. */
    private Thread inEngine;
    /** When the job's run thread returned and let go of what it held (shown as {@code released} once abandoned). */
    volatile Instant returned;
    /** Set by the one call that ends the job, while it records the run's end; guarded by {@code this}. */
    boolean finishing;
    /** The tracked run recording this job, or {@code null} when no tracker is installed. */
    volatile String runId;
    /** The experiment of {@link #runId}, as the run was created (the job result names it). */
    volatile String experimentId;
    /** The run this job reproduces, or {@code null}. */
    final String reproduces;
    /** Who submitted it: the authenticated principal's name, or {@code null} for the platform's own jobs. */
    final String user;

    Job(String id, Spec spec, String user, String reproduces) {
        this.id = id;
        this.spec = spec;
        this.user = user;
        this.reproduces = reproduces;
    }

    boolean stopRequested() {
        return cancelRequested || timedOut || Thread.currentThread().isInterrupted();
    }

    /** Asks the job to stop (a cancel, or the time limit when {@code timeLimit}); interrupts a running engine call. */
    void stop(boolean timeLimit) {
        synchronized (this) {
            if (timeLimit) {
                timedOut = true;
            } else {
                cancelRequested = true;
            }
            if (inEngine != null) {
                inEngine.interrupt();
            }
        }
        stopSignal.complete(null);
    }

    /**
     * Runs an engine call (train) on this thread so that {@link #stop} may interrupt it; the interrupt never
     * outlives the call.
     */
    <T> T engineCall(Callable<T> call) throws Exception {
        synchronized (this) {
            if (stopRequested()) {
                throw new org.cogwork.api.engine.EngineException(timedOut ? "time limit reached" : "training cancelled");
            }
            inEngine = Thread.currentThread();
        }
        try {
            return call.call();
        } finally {
            synchronized (this) {
                inEngine = null;
                Thread.interrupted(); // under the lock: no stop() can interrupt after this
            }
        }
    }

    /** What progress was last written to the store. */
    private String savedProgress = "";

    /** Whether the progress moved since the last call (then it counts as written). */
    synchronized boolean progressChanged() {
        String now = phase + "|" + step + "|" + total + "|" + progressMetrics;
        if (now.equals(savedProgress)) {
            return false;
        }
        savedProgress = now;
        return true;
    }

    void phase(String phase, long step, long total) {
        this.phase = phase;
        this.step = step;
        this.total = total;
    }

    /** The job as the API shows it and the store keeps it. */
    synchronized TrainingJob view() {
        return view(status, finished, phase, error);
    }

    /** The view this job will have once it ends with {@code status}: stored before the job shows it. */
    synchronized TrainingJob ended(JobStatus status, Instant finished, String error) {
        return view(status, finished, endPhase(status), error);
    }

    /** The phase an ended job shows: "done" for a success, else its state in lower case. */
    static String endPhase(JobStatus status) {
        return status == JobStatus.SUCCEEDED ? "done" : status.name().toLowerCase(java.util.Locale.ROOT);
    }

    private TrainingJob view(JobStatus status, Instant finished, String phase, String error) {
        return new TrainingJob(id, spec.name(), user, status, created, started, finished,
                new TrainingJob.Progress(phase, step, total, progressMetrics), runId, reproduces, error,
                status == JobStatus.ABANDONED ? returned : null, result, spec.json());
    }
}
