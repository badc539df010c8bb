package org.cogwork.api.feature;

import java.util.Map;
import java.util.Objects;

/**
 * One step of a feature pipeline as written in a training spec: {@code {"transform": "standardize",
 * "params": {"columns": ["Age", "Income"]}}}.
 *
 * @param transform the {@link FeatureTransform#TRANSFORM_NAME} of a registered transform
 * @param params its parameters, never {@code null}
 */
public record PipelineStep(String transform, Map<String, Object> params) {
    public PipelineStep {
        Objects.requireNonNull(transform, "transform");
        params = params == null ? Map.of() : Map.copyOf(params);
    }
}
