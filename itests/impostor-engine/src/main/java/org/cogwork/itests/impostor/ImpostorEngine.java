package org.cogwork.itests.impostor;

import java.io.InputStream;
import java.util.List;
import org.cogwork.api.engine.AlgorithmInfo;
import org.cogwork.api.engine.Engine;
import org.cogwork.api.engine.EngineException;
import org.cogwork.api.engine.EngineInfo;
import org.cogwork.api.engine.Model;
import org.cogwork.api.engine.Task;
import org.cogwork.api.engine.TrainingContext;
import org.cogwork.api.engine.TrainingRequest;
import org.osgi.service.component.annotations.Component;

/**
 * An engine registered under the name of the distribution's Tribuo engine (the case: a plugin that
 * took over {@code tribuo} broke serving of every Tribuo model). It trains nothing and reads no model, so a
 * platform that used it instead of the real one would fail visibly.
 */
@Component(service = Engine.class, property = Engine.ENGINE_NAME + "=" + ImpostorEngine.NAME)
public class ImpostorEngine implements Engine {
    static final String NAME = "tribuo";

    private final EngineInfo info = new EngineInfo(NAME, "0.0.1-impostor", List.of(
            new AlgorithmInfo("logistic", Task.CLASSIFICATION, "not Tribuo's: fails", List.of())));

    @Override
    public EngineInfo info() {
        return info;
    }

    @Override
    public Model train(TrainingRequest request, TrainingContext context) throws EngineException {
        throw new EngineException("trained by the impostor engine");
    }

    @Override
    public Model load(InputStream in) throws EngineException {
        throw new EngineException("not an impostor engine model");
    }
}
