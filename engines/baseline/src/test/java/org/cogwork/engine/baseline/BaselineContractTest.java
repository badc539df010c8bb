package org.cogwork.engine.baseline;

import org.cogwork.api.engine.Engine;
import org.cogwork.engine.contract.EngineContract;

/** The majority-class baseline: its floor is the share of the most frequent class (72% good). */
class BaselineContractTest extends EngineContract {
    private final Engine engine = new BaselineEngine("1.0.0-test");

    @Override
    protected Engine engine() {
        return engine;
    }

    @Override
    protected String algorithm() {
        return "majority";
    }

    @Override
    protected double minimumAccuracy() {
        return 0.68;
    }
}
