package org.cogwork.engine.xgboost;

import java.util.List;
import org.cogwork.api.data.Row;
import org.cogwork.api.engine.Model;

/** For bench/predict-bench.sh only: the same XGBoost model predicted by XGBoost4J's own predictor, the reference. */
public final class XgboostBenchAccess {
    private XgboostBenchAccess() {
    }

    public static void predictWithXGBoost(Model m, List<Row> rows) {
        ((XgboostModel) m).predict(rows, false);
    }
}
