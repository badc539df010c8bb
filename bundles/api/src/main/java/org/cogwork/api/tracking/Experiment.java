package org.cogwork.api.tracking;

import java.time.Instant;
import java.util.Map;

/**
 * A named group of runs (MLflow's experiment).
 *
 * @param id numeric id as a string (MLflow clients expect that)
 * @param lifecycleStage {@code active} or {@code deleted}
 */
public record Experiment(String id, String name, String artifactLocation, String lifecycleStage, Instant created,
                         Instant updated, Map<String, String> tags) {
    public Experiment {
        tags = tags == null ? Map.of() : Map.copyOf(tags);
    }
}
