package org.cogwork.engine.xgboost;

import java.util.Map;

/** The engine contract for XGBoost's random forest: the same engine and data as the boosted trees' contract. */
class XgboostForestContractTest extends XgboostContractTest {
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
