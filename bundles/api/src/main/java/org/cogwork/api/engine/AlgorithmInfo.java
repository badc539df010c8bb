package org.cogwork.api.engine;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * An algorithm an engine offers.
 *
 * <pre>{@code
 * new AlgorithmInfo("random-forest", Task.CLASSIFICATION, "a random forest", List.of(
 *         Hyperparameter.integer("numTrees", 50, "number of trees").atLeast(1).atMost(100_000)))
 * }</pre>
 *
 * @param name name used in training specs, unique within the engine and task (e.g. {@code "logistic"})
 * @param task the task it solves
 * @param description one line for people
 * @param hyperparameters every hyperparameter it takes, in the order to show them, names unique; never
 *     {@code null} (empty: it takes none, and any name a spec gives is refused)
 * @since 0.4 typed hyperparameters (0.1 to 0.3: a map of names to free text, see {@link #parameters()})
 */
public record AlgorithmInfo(String name, Task task, String description, List<Hyperparameter> hyperparameters) {
    public AlgorithmInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(task, "task");
        hyperparameters = hyperparameters == null ? List.of() : List.copyOf(hyperparameters);
        Set<String> names = new HashSet<>();
        for (Hyperparameter h : hyperparameters) {
            if (!names.add(h.name())) {
                throw new IllegalArgumentException("algorithm " + name + " declares hyperparameter " + h.name() + " twice");
            }
        }
    }

    /**
     * An algorithm whose hyperparameters are only named and described: each becomes a {@link Hyperparameter.Type#ANY}
     * that any value but {@code null} passes.
     *
     * @param parameters hyperparameter name → description including its default; {@code null} for none
     * @deprecated since 0.4: declare typed {@link Hyperparameter}s, so values are checked before a job starts and a
     *     form can be drawn for them
     */
    @Deprecated(since = "0.4")
    public AlgorithmInfo(String name, Task task, String description, Map<String, String> parameters) {
        this(name, task, description, untyped(parameters));
    }

    private static List<Hyperparameter> untyped(Map<String, String> parameters) {
        List<Hyperparameter> out = new ArrayList<>();
        if (parameters != null) {
            parameters.forEach((n, d) -> out.add(new Hyperparameter(n, Hyperparameter.Type.ANY, null, null, true, null, true,
                    List.of(), false, d)));
        }
        return out;
    }

    /** The hyperparameter of this name, if the algorithm takes one. */
    public Optional<Hyperparameter> hyperparameter(String hyperparameterName) {
        return hyperparameters.stream().filter(h -> h.name().equals(hyperparameterName)).findFirst();
    }

    /**
     * Hyperparameter name → description, with {@code " (default <value>)"} appended when there is a default.
     *
     * @deprecated since 0.4: use {@link #hyperparameters()}, which carries the type, range and default as data
     */
    @Deprecated(since = "0.4")
    public Map<String, String> parameters() {
        Map<String, String> out = new LinkedHashMap<>();
        for (Hyperparameter h : hyperparameters) {
            out.put(h.name(), h.defaultValue() == null ? h.description() : h.description() + " (default " + h.defaultValue() + ")");
        }
        return java.util.Collections.unmodifiableMap(out);
    }
}
