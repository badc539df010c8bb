package org.cogwork.api.serving;

import java.util.List;
import org.cogwork.api.engine.Prediction;

/** The answer to a prediction request: which version answered, and one prediction id per row. */
public record PredictionResponse(String modelName, int version, List<Item> predictions) {
    public PredictionResponse {
        predictions = List.copyOf(predictions);
    }

    /** One row's prediction and the id under which it was logged (the key for feedback). */
    public record Item(String predictionId, Prediction prediction) {
    }
}
