package org.cogwork.api.engine;

import java.util.Map;
import java.util.Objects;
import org.cogwork.api.data.Dataset;

/**
 * What to train. The dataset holds the already-transformed features plus the target column; the feature
 * pipeline has been fitted by the platform, so an engine never sees raw data it must not learn from.
 *
 * @param task the task, never {@code null}
 * @param algorithm an algorithm name from {@link EngineInfo#algorithms()}
 * @param hyperparameters algorithm parameters, never {@code null} (empty means defaults)
 * @param data training rows, never {@code null}
 * @param target name of the target column; {@code null} only for {@link Task#CLUSTERING}
 * @param seed seed for every random choice the engine makes; same seed and data must give the same model
 */
public record TrainingRequest(Task task, String algorithm, Map<String, Object> hyperparameters, Dataset data,
                              String target, long seed) {
    public TrainingRequest {
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(algorithm, "algorithm");
        Objects.requireNonNull(data, "data");
        hyperparameters = hyperparameters == null ? Map.of() : Map.copyOf(hyperparameters);
        if (target == null && task != Task.CLUSTERING) {
            throw new IllegalArgumentException("target is required for " + task);
        }
    }
}
