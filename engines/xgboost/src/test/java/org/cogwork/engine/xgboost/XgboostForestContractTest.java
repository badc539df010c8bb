package org.cogwork.engine.xgboost;

import java.util.Map;
import org.cogwork.api.engine.Engine;
import org.cogwork.engine.contract.EngineContract;

/** XGBoost's random forest on the raw credit data (one-hot categories, missing values left missing). */
class XgboostForestContractTest extends EngineContract {
    private final Engine engine = new XgboostEngine("3.4.0-test");

    @Override
    protected Engine engine() {
        return engine;
    }

    @Override
    protected String algorithm() {
        return "random-forest";
    }

    @Override
    protected Map<String, Object> hyperparameters() {
        return Map.of("trees", 50, "nthread", 2);
    }

    @Override
    protected double minimumAccuracy() {
        return 0.77;
    }
}
