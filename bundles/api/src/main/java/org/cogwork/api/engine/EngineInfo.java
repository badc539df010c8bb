package org.cogwork.api.engine;

import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

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
}
