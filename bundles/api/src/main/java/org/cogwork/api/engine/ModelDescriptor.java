package org.cogwork.api.engine;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.cogwork.api.data.Schema;

/**
 * What a trained model is: enough for serving to validate input and for the registry to record provenance.
 *
 * @param engine engine name
 * @param engineVersion engine version that trained it
 * @param algorithm algorithm name
 * @param task the task
 * @param inputSchema the feature columns the model expects, in order
 * @param target target column name, {@code null} for clustering
 * @param labels class labels for classification, empty otherwise
 * @param provenance engine-specific provenance (library versions, parameters); values are strings, numbers,
 *     booleans, lists or maps so they serialise to JSON; never contains secrets
 */
public record ModelDescriptor(String engine, String engineVersion, String algorithm, Task task, Schema inputSchema,
                              String target, List<String> labels, Map<String, Object> provenance) {
    public ModelDescriptor {
        Objects.requireNonNull(engine, "engine");
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(inputSchema, "inputSchema");
        labels = labels == null ? List.of() : List.copyOf(labels);
        provenance = provenance == null ? Map.of() : Map.copyOf(provenance);
    }
}
