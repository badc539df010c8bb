package org.cogwork.api.training;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Runs training jobs on the platform's bounded executor, never on the caller's thread. Implemented by the
 * platform. Thread-safe.
 */
@ProviderType
public interface TrainingService {
    /**
     * Validates and queues a training spec (the JSON of {@code POST /api/trainings}, as a map).
     *
     * @return the job id
     * @throws IllegalArgumentException naming the field at fault (missing column, unknown engine, ...)
     */
    String submit(Map<String, Object> spec);

    /** The job as {@code GET /api/trainings/{id}} shows it: status, progress, metrics, artifact. */
    Optional<Map<String, Object>> job(String id);

    List<Map<String, Object>> jobs();

    /** Asks a queued or running job to stop; {@code false} when it had already finished. */
    boolean cancel(String id);

    /**
     * Retrains from the spec recorded with a tracked run (same data query, pipeline, engine, parameters and
     * seed) as a new job; when it ends its result says whether the metrics and the data hash match the
     * original run's.
     *
     * @return the new job id
     * @throws java.util.NoSuchElementException when the run does not exist
     * @throws IllegalArgumentException when the run was not produced by a training job
     */
    String reproduce(String runId);

    /** Current status, or empty for an unknown id. */
    Optional<JobStatus> status(String id);
}
