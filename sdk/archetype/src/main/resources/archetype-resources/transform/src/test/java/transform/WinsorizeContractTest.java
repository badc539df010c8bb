package ${package}.transform;

import java.util.List;
import java.util.Map;
import org.cogwork.api.feature.FeatureTransform;
import org.cogwork.transform.contract.TransformContract;

/** The transform contract suite on credit data. */
class WinsorizeContractTest extends TransformContract {
    @Override
    protected FeatureTransform transform() {
        return new Winsorize();
    }

    @Override
    protected Map<String, Object> params() {
        return Map.of("columns", List.of("Income", "Amount", "Price"), "upper", 0.95);
    }
}
