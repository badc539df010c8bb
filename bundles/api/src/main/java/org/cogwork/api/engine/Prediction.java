package org.cogwork.api.engine;

import java.util.Map;

/**
 * One model output.
 *
 * @param value the predicted label ({@link String}) for classification, a {@link Double} for regression,
 *     the cluster id ({@link Integer}) for clustering
 * @param scores class → probability or score for classification (empty when the model has none); never
 *     {@code null}
 */
public record Prediction(Object value, Map<String, Double> scores) {
    public Prediction {
        scores = scores == null ? Map.of() : Map.copyOf(scores);
    }
}
