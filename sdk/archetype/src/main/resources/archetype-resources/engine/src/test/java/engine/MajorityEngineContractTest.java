package ${package}.engine;

import org.cogwork.api.engine.Engine;
import org.cogwork.engine.contract.EngineContract;

/** The engine contract suite on credit data: the majority class reaches the share of "good" loans (72%). */
class MajorityEngineContractTest extends EngineContract {
    private final Engine engine = new MajorityEngine("1.0.0-test");

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
