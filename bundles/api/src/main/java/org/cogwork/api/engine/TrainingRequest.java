package org.cogwork.api.engine;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.cogwork.api.data.DataType;
import org.cogwork.api.data.Dataset;
import org.cogwork.api.data.Field;

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

    /**
     * The target column, checked against the task: numeric for regression; CATEGORICAL, STRING, BOOLEAN or INT for
     * classification. {@code null} for clustering without a target.
     *
     * @throws IllegalArgumentException naming the column when it is not in the data or its type does not fit the task
     */
    public Field targetField() {
        if (target == null) {
            return null;
        }
        Field field = data.schema().require(target);
        if (task == Task.REGRESSION && !field.type().isNumeric()) {
            throw new IllegalArgumentException("regression target '" + target + "' must be numeric, is " + field.type());
        }
        if (task == Task.CLASSIFICATION && !List.of(DataType.CATEGORICAL, DataType.STRING, DataType.BOOLEAN, DataType.INT)
                .contains(field.type())) {
            throw new IllegalArgumentException("classification target '" + target
                    + "' must be CATEGORICAL, STRING, BOOLEAN or INT, is " + field.type());
        }
        return field;
    }
}
