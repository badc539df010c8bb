package org.cogwork.api.serving;

import java.time.Instant;
import java.util.Map;
import org.cogwork.api.engine.Prediction;

/**
 * One logged prediction, as monitoring and active learning read it.
 *
 * @param shadow whether it came from a shadow version whose answer was not returned to the caller
 */
public record PredictionRecord(String id, Instant time, String modelName, int version, Map<String, Object> input,
                               Prediction output, long latencyMicros, boolean shadow) {
}
