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
     * Validates and queues a training spec (the JSON of {@code POST /api/trainings}, as a map), bound as strictly
     * as the REST body: an unknown field, a wrong type or a value out of range is refused, never coerced.
     *
     * @param user who submits it (the authenticated principal's name), recorded on the job and as its tracked
     *     run's user; {@code null} for the platform's own submissions
     * @return the job id
     * @throws org.cogwork.api.problem.InvalidFieldException naming the field at fault (missing column, unknown
     *     engine, wrong type, ...)
     * @since 0.3
     */
    String submit(Map<String, Object> spec, String user);

    /**
     * The job as {@code GET /api/trainings/{id}} shows it: status, progress, result (metrics, artifact, ...) and spec;
     * empty for an unknown job or one beyond the retention policy.
     *
     * @since 0.5 (a {@link TrainingJob}, was a map)
     */
    Optional<TrainingJob> job(String id);

    /**
     * The newest jobs kept (at most the retention count), newest first, without their spec and result
     * ({@link TrainingJob#summary()}).
     *
     * @since 0.5 (records, were maps)
     */
    List<TrainingJob> jobs();

    /** Asks a queued or running job to stop; {@code false} when it had already finished. */
    boolean cancel(String id);

    /**
     * Retrains from the spec recorded with a tracked run (same data query, pipeline, engine, parameters and
     * seed) as a new job; when it ends its result says whether the metrics and the data hash match the
     * original run's.
     *
     * @param user who asks for it, as for {@link #submit}
     * @return the new job id
     * @throws org.cogwork.api.problem.NotFoundException when the run does not exist
     * @throws org.cogwork.api.problem.InvalidFieldException naming {@code runId} when the run was not produced by
     *     a training job or its recorded spec no longer binds
     * @since 0.3
     */
    String reproduce(String runId, String user);

    /** Current status, or empty for an unknown id. */
    Optional<JobStatus> status(String id);
}
