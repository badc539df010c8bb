package org.cogwork.api.registry;

import java.time.Instant;
import java.util.Map;
import java.util.Set;

/**
 * A registered version of a model.
 *
 * @param artifactUri where the saved model lives in the artifact store
 * @param provenance engine, algorithm, parameters, seed, data hash, pipeline, bundle and Java versions
 */
public record ModelVersion(String modelName, int version, String runId, String artifactUri, Instant created,
                           Set<String> aliases, Map<String, Object> provenance) {
    public ModelVersion {
        aliases = aliases == null ? Set.of() : Set.copyOf(aliases);
        provenance = provenance == null ? Map.of() : Map.copyOf(provenance);
    }
}
