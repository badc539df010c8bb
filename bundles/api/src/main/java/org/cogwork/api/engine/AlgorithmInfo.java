package org.cogwork.api.engine;

import java.util.Map;
import java.util.Objects;

/**
 * An algorithm an engine offers.
 *
 * @param name name used in training specs, unique within the engine (e.g. {@code "logistic"})
 * @param task the task it solves
 * @param description one line for people
 * @param parameters hyperparameter name → description including its default; never {@code null}
 */
public record AlgorithmInfo(String name, Task task, String description, Map<String, String> parameters) {
    public AlgorithmInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(task, "task");
        parameters = parameters == null ? Map.of() : Map.copyOf(parameters);
    }
}
