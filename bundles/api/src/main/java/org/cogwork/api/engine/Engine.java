package org.cogwork.api.engine;

import java.io.InputStream;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * An ML engine, published as an OSGi service by an engine bundle. The platform finds engines in the
 * service registry only, so an engine bundle installed while the runtime runs is usable at once and one
 * that leaves is gone at once.
 *
 * <p>Register with the service property {@link #ENGINE_NAME} equal to {@code info().name()}. Methods may
 * be called concurrently from platform job threads, never from HTTP threads.
 *
 * <pre>{@code
 * @Component(service = Engine.class, property = Engine.ENGINE_NAME + "=tribuo")
 * public class TribuoEngine implements Engine { ... }
 * }</pre>
 */
@ConsumerType
public interface Engine {
    /** Service property carrying the engine name. */
    String ENGINE_NAME = "cogwork.engine.name";

    EngineInfo info();

    /**
     * Checks a spec's hyperparameters when a training is submitted, so that a wrong one is a 400 naming it and not a
     * failed job. The platform calls it for the fixed hyperparameters and for each value of a search space (with the
     * fixed ones). The default checks them against the algorithm's declared {@link Hyperparameter}s through
     * {@link EngineInfo#resolve}: unknown names, values of the wrong type or out of range, required ones left out.
     * An engine that can judge more without data (a file path inside the data roots) overrides this, calls
     * {@code Engine.super.checkHyperparameters(...)} first, and throws {@link org.cogwork.api.problem.InvalidFieldException}
     * naming {@code hyperparameters.<name>} too.
     *
     * @throws org.cogwork.api.problem.InvalidFieldException naming {@code hyperparameters.<name>}
     * @throws IllegalArgumentException when the engine has no such algorithm for the task
     * @since 0.3 (0.4: the default checks the declared hyperparameters; before, it checked nothing)
     */
    default void checkHyperparameters(String algorithm, Task task, java.util.Map<String, Object> hyperparameters) {
        info().resolve(algorithm, task, hyperparameters); // resolving checks every name and value
    }

    /**
     * Trains a model on the caller's thread.
     *
     * @throws org.cogwork.api.problem.InvalidFieldException naming {@code hyperparameters.<name>} when a hyperparameter
     *     is wrong (engines resolve them with {@link EngineInfo#resolve}, which says so in the platform's words)
     * @throws IllegalArgumentException naming the column or algorithm when the rest of the request is invalid
     * @throws EngineException when training fails or is cancelled
     */
    Model train(TrainingRequest request, TrainingContext context) throws EngineException;

    /**
     * Restores a model written by {@link Model#save} of this engine, including versions saved by earlier
     * releases. Does not close {@code in}.
     *
     * @throws EngineException when the bytes are not a model of this engine or are corrupt
     */
    Model load(InputStream in) throws EngineException;
}
