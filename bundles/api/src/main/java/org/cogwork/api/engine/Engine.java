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
     * Trains a model on the caller's thread.
     *
     * @throws IllegalArgumentException naming the parameter or column when the request is invalid
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
