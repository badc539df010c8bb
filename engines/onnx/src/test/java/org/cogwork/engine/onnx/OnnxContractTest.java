package org.cogwork.engine.onnx;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.cogwork.api.engine.Engine;
import org.cogwork.api.security.DataRoots;
import org.cogwork.engine.contract.EngineContract;

/**
 * The whole contract suite on an imported model: credit_logistic.onnx is a scikit-learn pipeline (imputer, scaler,
 * one-hot encoder, logistic regression) fitted on credit_data.csv by make_onnx.py, one input per column and a ZipMap
 * output, so "training" on the suite's credit rows imports it. It was fitted on a different 80% of the same file than
 * the suite's split, so the accuracy floor here checks the import, not generalisation. Same seed, same model holds
 * trivially (an import has no randomness); cancel is checked before the file is read and after the first progress report.
 */
class OnnxContractTest extends EngineContract {
    static final Path RESOURCES = Path.of("src/test/resources").toAbsolutePath();
    private final Engine engine = new OnnxEngine("1.29.0-test", DataRoots.of(List.of(RESOURCES)));

    @Override
    protected Engine engine() {
        return engine;
    }

    @Override
    protected String algorithm() {
        return "onnx-classifier";
    }

    @Override
    protected Map<String, Object> hyperparameters() {
        return Map.of("path", RESOURCES.resolve("credit_logistic.onnx").toString());
    }

    @Override
    protected double minimumAccuracy() {
        return 0.76;
    }
}
