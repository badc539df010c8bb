package org.cogwork.api.engine;

import java.util.Map;

/**
 * The platform's side of a running training job, handed to {@link Engine#train}. Engines report progress
 * and check for cancellation between steps (epochs, trees, batches). Thread-safe.
 */
public interface TrainingContext {
    /** Whether the job was cancelled or ran out of time; the engine should stop and throw {@link EngineException}. */
    boolean isCancelled();

    /**
     * Reports progress.
     *
     * @param step steps done so far (epochs, iterations)
     * @param totalSteps steps planned, or -1 when unknown
     * @param metrics current metric values (e.g. {@code loss}), never {@code null}
     */
    void progress(long step, long totalSteps, Map<String, Double> metrics);

    /** A context that is never cancelled and ignores progress, for tests and plain use. */
    static TrainingContext none() {
        return new TrainingContext() {
            @Override
            public boolean isCancelled() {
                return false;
            }

            @Override
            public void progress(long step, long totalSteps, Map<String, Double> metrics) {
            }
        };
    }
}
