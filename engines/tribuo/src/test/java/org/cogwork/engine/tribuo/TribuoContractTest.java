package org.cogwork.engine.tribuo;

import org.cogwork.api.engine.Engine;
import org.cogwork.engine.contract.EngineContract;

/** Tribuo's logistic regression: standardised inputs, one-hot categories; about 0.80 on this split. */
class TribuoContractTest extends EngineContract {
    private final Engine engine = new TribuoEngine("4.3.2-test");

    @Override
    protected Engine engine() {
        return engine;
    }

    @Override
    protected String algorithm() {
        return "logistic";
    }

    @Override
    protected double minimumAccuracy() {
        return 0.76;
    }
}
