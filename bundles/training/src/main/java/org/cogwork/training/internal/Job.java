package org.cogwork.training.internal;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Future;
import org.cogwork.api.training.JobStatus;

/** One training job's state as the REST API shows it. Written by its worker thread, read by anyone. */
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
    volatile Map<String, Object> result;
    volatile boolean cancelRequested;
    volatile boolean timedOut;
    volatile Future<?> future;
    /** The tracked run recording this job, or {@code null} when no tracker is installed. */
    volatile String runId;
    /** The run this job reproduces, or {@code null}. */
    final String reproduces;

    Job(String id, Spec spec, String reproduces) {
        this.id = id;
        this.spec = spec;
        this.reproduces = reproduces;
    }

    boolean stopRequested() {
        return cancelRequested || timedOut || Thread.currentThread().isInterrupted();
    }

    void phase(String phase, long step, long total) {
        this.phase = phase;
        this.step = step;
        this.total = total;
    }

    Map<String, Object> view() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        m.put("name", spec.name());
        m.put("status", status);
        m.put("created", created);
        m.put("started", started);
        m.put("finished", finished);
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("phase", phase);
        p.put("step", step);
        p.put("total", total);
        p.put("metrics", progressMetrics);
        m.put("progress", p);
        if (runId != null) {
            m.put("runId", runId);
        }
        if (reproduces != null) {
            m.put("reproduces", reproduces);
        }
        if (error != null) {
            m.put("error", error);
        }
        if (result != null) {
            m.put("result", result);
        }
        m.put("spec", spec.json());
        return m;
    }
}
