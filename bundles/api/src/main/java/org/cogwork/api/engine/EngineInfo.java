package org.cogwork.api.engine;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import org.cogwork.api.problem.InvalidFieldException;

/**
 * What an engine is and can do, as listed by {@code GET /api/engines}.
 *
 * @param name stable engine name used in training specs (e.g. {@code "tribuo"}), never {@code null}
 * @param version the engine's version (usually its bundle version), never {@code null}
 * @param algorithms the algorithms it trains; never {@code null}
 */
public record EngineInfo(String name, String version, List<AlgorithmInfo> algorithms) {
    public EngineInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(version, "version");
        algorithms = algorithms == null ? List.of() : List.copyOf(algorithms);
    }

    /** The tasks covered by at least one algorithm: the engine's capabilities. */
    public Set<Task> tasks() {
        return algorithms.stream().map(AlgorithmInfo::task).collect(Collectors.toUnmodifiableSet());
    }

    /**
     * The algorithm of this name that solves {@code task}: names may repeat across tasks (e.g. a {@code cart} for
     * classification and one for regression).
     *
     * @throws IllegalArgumentException naming the task and the algorithm, and listing the ones there are
     */
    public AlgorithmInfo algorithm(String algorithmName, Task task) {
        return algorithms.stream().filter(a -> a.name().equals(algorithmName) && a.task() == task).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("engine '" + name + "' has no "
                        + task.name().toLowerCase(java.util.Locale.ROOT) + " algorithm '" + algorithmName + "'; use "
                        + String.join(", ", algorithms.stream().filter(a -> a.task() == task).map(AlgorithmInfo::name).toList())));
    }

    /** The first algorithm of this name, whatever its task; see {@link #algorithm(String, Task)} when names repeat. */
    public AlgorithmInfo algorithm(String algorithmName) {
        return algorithms.stream().filter(a -> a.name().equals(algorithmName)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException(
                        "engine '" + name + "' has no algorithm '" + algorithmName + "'"));
    }

    /**
     * The hyperparameters an algorithm trains with: each given value checked by its {@link Hyperparameter#check} and in
     * its Java form, and the default of each one not given (those without a default are left out). Checks, in order:
     * every given name is declared, every given value passes its check, every required one is given.
     *
     * <pre>{@code
     * Map<String, Object> p = info().resolve(request.algorithm(), request.task(), request.hyperparameters());
     * int trees = ((Number) p.get("numTrees")).intValue();
     * }</pre>
     *
     * @param given the values a spec gave, by name; never {@code null}
     * @return a new, modifiable map in declaration order
     * @throws IllegalArgumentException when the engine has no such algorithm for the task
     * @throws InvalidFieldException naming {@code hyperparameters.<name>}: a name the algorithm does not declare, a
     *     value its declaration refuses, or a required one left out
     * @since 0.4
     */
    public Map<String, Object> resolve(String algorithmName, Task task, Map<String, ?> given) {
        AlgorithmInfo a = algorithm(algorithmName, task);
        for (String key : given.keySet()) {
            if (a.hyperparameter(key).isEmpty()) {
                throw new InvalidFieldException("hyperparameters." + key, "algorithm '" + a.name() + "' of engine '" + name
                        + "' has no hyperparameter '" + key + "'; it has " + (a.hyperparameters().isEmpty() ? "none"
                        : a.hyperparameters().stream().map(Hyperparameter::name).sorted().toList()));
            }
        }
        Map<String, Object> checked = new LinkedHashMap<>();
        for (Map.Entry<String, ?> e : given.entrySet()) {
            checked.put(e.getKey(), a.hyperparameter(e.getKey()).orElseThrow().check(e.getValue()));
        }
        Map<String, Object> out = new LinkedHashMap<>();
        for (Hyperparameter h : a.hyperparameters()) {
            if (checked.containsKey(h.name())) {
                out.put(h.name(), checked.get(h.name()));
            } else if (h.required()) {
                throw new InvalidFieldException(h.field(), h.name() + " is required: " + h.description());
            } else if (h.defaultValue() != null) {
                out.put(h.name(), h.defaultValue());
            }
        }
        return out;
    }
}
