package org.cogwork.api.training;

/**
 * Life cycle of a training job. Every job ends in one of the final states, with a reason unless it succeeded.
 * {@link #ABANDONED} (since 0.2): cancelled or past its time limit, the job's engine did not stop within the grace
 * period; the platform stopped waiting, ended its run and freed its worker, and the engine's thread is left to
 * return on its own (what it holds is released then). {@link #INTERRUPTED} (since 0.4): the runtime stopped while
 * the job was queued or running (a restart, a crash, a {@code kill -9}); found so at the next start, its run marked
 * failed. Submit the job again to retrain.
 */
public enum JobStatus {
    QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED, TIMED_OUT, ABANDONED, INTERRUPTED;

    public boolean isFinal() {
        return this != QUEUED && this != RUNNING;
    }
}
