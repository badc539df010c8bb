package org.cogwork.api.training;

/** Life cycle of a training job. */
public enum JobStatus {
    QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED, TIMED_OUT;

    public boolean isFinal() {
        return this != QUEUED && this != RUNNING;
    }
}
