package org.cogwork.features.winsorize;

import java.util.List;
import java.util.Map;
import org.cogwork.api.feature.FeatureTransform;
import org.cogwork.transform.contract.TransformContract;

/** The winsorize plugin passes the transform contract suite, as any plugin author's transform does. */
class WinsorizeContractTest extends TransformContract {
    @Override
    protected FeatureTransform transform() {
        return new Winsorize();
    }

    @Override
    protected Map<String, Object> params() {
        return Map.of("columns", List.of("Income", "Amount", "Price"), "lower", 0.05, "upper", 0.95);
    }
}
