package org.cogwork.api.registry;

import java.time.Instant;
import java.util.Map;
import java.util.Set;

/**
 * A registered version of a model.
 *
 * @param runId the run it came from, or {@code null}
 * @param source where the saved model lives (an artifact URI)
 * @param status {@code READY} (MLflow's model version status)
 * @param approval an approval note (who approved and why), or {@code null}
 * @param provenance engine, algorithm, parameters, seed, data hash, pipeline, bundle and Java versions
 */
public record ModelVersion(String modelName, int version, String runId, String source, String status, String description,
                           String approval, Instant created, Instant updated, Set<String> aliases, Map<String, String> tags,
                           Map<String, Object> provenance) {
    public ModelVersion {
        aliases = aliases == null ? Set.of() : Set.copyOf(aliases);
        tags = tags == null ? Map.of() : Map.copyOf(tags);
        provenance = provenance == null ? Map.of() : Map.copyOf(provenance);
    }
}
