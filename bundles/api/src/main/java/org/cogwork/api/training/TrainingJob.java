package org.cogwork.api.training;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Map;

/**
 * A training job as {@code GET /api/trainings/{id}} shows it, and as it is stored: its JSON form (field names,
 * nesting, and which fields are left out) is the REST API's. {@code name}, {@code started} and {@code finished} are
 * always present (JSON {@code null} when unset); the fields marked optional below are left out when {@code null}.
 *
 * @param id the job id
 * @param name the spec's name, or {@code null}
 * @param user who submitted it (the authenticated principal's name); optional: {@code null} for the platform's own jobs
 * @param status where it is in its life cycle
 * @param created when it was accepted
 * @param started when a worker took it, or {@code null}
 * @param finished when it reached a final state, or {@code null}
 * @param progress what it is doing now (or did last)
 * @param runId optional: the tracked run recording it
 * @param reproduces optional: the run it retrains ({@link TrainingService#reproduce})
 * @param error optional: why it did not succeed
 * @param released optional: for an {@link JobStatus#ABANDONED} job, when its engine returned after all and what it
 *     held was released
 * @param result optional: what a succeeded job produced; {@code null} in {@link TrainingService#jobs()}
 * @param spec optional: the training spec as submitted (the JSON of {@code POST /api/trainings}, absent fields left
 *     out); {@code null} in {@link TrainingService#jobs()}
 * @since 0.5
 */
@JsonPropertyOrder({"id", "name", "user", "status", "created", "started", "finished", "progress", "runId", "reproduces", "error",
        "released", "result", "spec"})
public record TrainingJob(String id, String name, @JsonInclude(JsonInclude.Include.NON_NULL) String user, JobStatus status,
                          Instant created, Instant started, Instant finished, Progress progress,
                          @JsonInclude(JsonInclude.Include.NON_NULL) String runId,
                          @JsonInclude(JsonInclude.Include.NON_NULL) String reproduces,
                          @JsonInclude(JsonInclude.Include.NON_NULL) String error,
                          @JsonInclude(JsonInclude.Include.NON_NULL) Instant released,
                          @JsonInclude(JsonInclude.Include.NON_NULL) TrainingResult result,
                          @JsonInclude(JsonInclude.Include.NON_NULL) JsonNode spec) {

    /**
     * A job's progress: its phase ({@code queued}, {@code reading}, {@code splitting}, {@code search i/n},
     * {@code training}, {@code evaluating}, {@code done}, or the final status in lower case), the step within it out of
     * {@code total} ({@code -1} when unknown), and the last figures its engine reported (e.g. {@code loss}, or the
     * cross-validation {@code fold}).
     */
    public record Progress(String phase, long step, long total, Map<String, Double> metrics) {
        public Progress {
            metrics = metrics == null ? Map.of() : metrics;
        }
    }

    /** This job without its spec and result, as {@link TrainingService#jobs()} lists it. */
    public TrainingJob summary() {
        return new TrainingJob(id, name, user, status, created, started, finished, progress, runId, reproduces, error, released,
                null, null);
    }

    /**
     * This job, ended as {@code status} at {@code finished} for {@code error}, its progress phase the status in lower case.
     */
    public TrainingJob ended(JobStatus status, Instant finished, String error) {
        Progress p = new Progress(status.name().toLowerCase(java.util.Locale.ROOT), progress.step(), progress.total(), progress.metrics());
        return new TrainingJob(id, name, user, status, created, started, finished, p, runId, reproduces, error, released, result, spec);
    }
}
