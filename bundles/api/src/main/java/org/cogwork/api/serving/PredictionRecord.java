package org.cogwork.api.serving;

import java.time.Instant;
import java.util.Map;
import org.cogwork.api.engine.Prediction;

/**
 * One logged prediction, as monitoring and active learning read it.
 *
 * @param id the prediction id returned to the caller (the key for feedback)
 * @param input the row as the caller sent it (column → JSON value)
 * @param latencyMicros time spent predicting this row's batch, in microseconds
 * @param shadow whether it came from a shadow version whose answer was not returned to the caller
 * @param callerKey the caller key used for sticky A/B assignment, or {@code null}
 */
public record PredictionRecord(String id, Instant time, String modelName, int version, Map<String, Object> input,
                               Prediction output, long latencyMicros, boolean shadow, String callerKey) {
    public PredictionRecord {
        input = input == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(input));
    }
}
