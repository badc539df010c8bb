package org.cogwork.engine.tribuo;

import java.util.List;
import org.cogwork.api.data.Row;
import org.cogwork.api.engine.Model;
import org.tribuo.Example;

/**
 * For bench/predict-bench.sh only (the bench runs on a plain class path, where this package is open to it): the
 * Tribuo model inside an engine model and the examples the engine would give it, so the same model can be timed
 * through Tribuo's own predict as the reference.
 */
public final class BenchAccess {
    private BenchAccess() {
    }

    public static org.tribuo.Model<?> tribuoModel(Model m) {
        return ((TribuoModel) m).tribuoModel();
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    public static List<Example> examples(Model m, List<Row> rows) {
        Features features = new Features(m.descriptor().inputSchema());
        Object unknown = switch (m.descriptor().task()) {
            case CLASSIFICATION -> org.tribuo.classification.LabelFactory.UNKNOWN_LABEL;
            case REGRESSION -> org.tribuo.regression.RegressionFactory.UNKNOWN_REGRESSOR;
            case CLUSTERING -> org.tribuo.clustering.ClusteringFactory.UNASSIGNED_CLUSTER_ID;
        };
        return rows.stream().map(r -> (Example) features.encode(r, (org.tribuo.Output) unknown)).toList();
    }
}
