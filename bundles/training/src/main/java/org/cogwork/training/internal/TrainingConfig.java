package org.cogwork.training.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration of training jobs (PID {@value #PID}). */
@ObjectClassDefinition(id = TrainingConfig.PID, name = "Cogwork training", description = "The training job executor.")
public @interface TrainingConfig {
    String PID = "org.cogwork.training";

    @AttributeDefinition(name = "Worker threads", description = "Training jobs that run at the same time.")
    int threads() default 2;

    @AttributeDefinition(name = "Queue length", description = "Jobs that may wait; beyond that POST /api/trainings answers 429.")
    int queue() default 16;

    @AttributeDefinition(name = "Default time limit (s)", description = "Time limit of a job whose spec sets none.")
    long time_limit_seconds() default 3600;

    @AttributeDefinition(name = "Stop grace period (s)", description = "How long a cancelled or timed-out job waits for its "
            + "engine to stop before the job is ABANDONED: its run ended, its worker freed, the engine's thread left to return.")
    long stop_grace_seconds() default 5;

    @AttributeDefinition(name = "Maximum rows", description = "Rows a job may read into memory.")
    long max_rows() default 5_000_000;

    @AttributeDefinition(name = "Finished jobs kept", description = "Finished jobs kept in the metadata database (the "
            + "newest ones); older ones are deleted and GET /api/trainings/{id} answers 404. Their runs and models stay.")
    int jobs_retain_count() default 1000;

    @AttributeDefinition(name = "Days a finished job is kept", description = "Finished jobs older than this are deleted.")
    int jobs_retain_days() default 90;
}
