package org.cogwork.engine.djl;

import java.util.List;
import java.util.Map;
import org.cogwork.api.engine.Engine;
import org.cogwork.engine.contract.EngineContract;

/** DJL's multilayer perceptron on PyTorch (CPU, offline). */
class DjlContractTest extends EngineContract {
    private final Engine engine = new DjlEngine("0.35.1-test");

    @Override
    protected Engine engine() {
        return engine;
    }

    @Override
    protected String algorithm() {
        return "mlp";
    }

    @Override
    protected Map<String, Object> hyperparameters() {
        return Map.of("hidden", List.of(32), "epochs", 10);
    }

    @Override
    protected double minimumAccuracy() {
        return 0.76;
    }
}
