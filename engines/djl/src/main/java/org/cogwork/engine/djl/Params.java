package org.cogwork.engine.djl;

import java.util.List;
import java.util.Map;
import org.cogwork.api.engine.EngineInfo;
import org.cogwork.api.problem.InvalidFieldException;

/**
 * The hyperparameters of one request, resolved against the algorithm's declaration ({@link EngineInfo#resolve}: names,
 * types, bounds and defaults checked there, in the platform's words), read here in the types the network code uses.
 */
final class Params {
    private final Algorithm algorithm;
    private final Map<String, Object> resolved;

    /** @throws InvalidFieldException naming {@code hyperparameters.<name>} when one is unknown, wrong or missing */
    Params(EngineInfo info, Algorithm algorithm, Map<String, Object> given) {
        this.algorithm = algorithm;
        this.resolved = info.resolve(algorithm.algorithmName, algorithm.task, given);
    }

    /** The resolved values (given or default), for provenance. */
    Map<String, Object> resolved() {
        return resolved;
    }

    int integer(String name) {
        return ((Number) resolved.get(name)).intValue(); // declared at most an int
    }

    double decimal(String name) {
        return ((Number) resolved.get(name)).doubleValue();
    }

    boolean flag(String name) {
        return (Boolean) resolved.get(name);
    }

    /** The value, or {@code null} when it was not given and has no default. */
    String string(String name) {
        return (String) resolved.get(name);
    }

    int[] sizes(String name) {
        return ((List<?>) resolved.get(name)).stream().mapToInt(v -> ((Number) v).intValue()).toArray();
    }

    InvalidFieldException error(String name, String message) {
        return error(algorithm, name, message);
    }

    /** A problem with a value that passed its declaration (a TorchScript file that cannot be used), naming it. */
    static InvalidFieldException error(Algorithm algorithm, String name, String message) {
        return new InvalidFieldException("hyperparameters." + name,
                "hyperparameter '" + name + "' of djl " + algorithm.algorithmName + " " + message);
    }
}
