package org.cogwork.engine.xgboost;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** What a failing XGBoost call tells the user. */
class BoostingTest {
    /** A message XGBoost 3.4 gave (tree_method exact with colsample_bynode), as it came through XGBoost4J. */
    static final String XGBOOST_MESSAGE = "[17:13:32] /workspace/src/tree/updater_colmaker.cc:110: column sample by node is "
            + "not yet supported by the exact tree method\nStack trace:\n  [bt] (0) /tmp/libxgboost4j7468499159963747062.so("
            + "dmlc::LogMessageFatal::~LogMessageFatal()+0x6e) [0x7fb4caa2559e]\n  [bt] (1) /tmp/libxgboost4j7468499159963747062.so"
            + "(XGBoosterUpdateOneIter+0x63) [0x7fb4caa39cb3]\n\n";

    @Test
    void aFailureSaysXGBoostsReasonWithoutItsSourceLineOrNativeStack() {
        assertEquals("column sample by node is not yet supported by the exact tree method",
                Boosting.reason(new Exception(XGBOOST_MESSAGE)));
        assertEquals("plain words stay as they are", Boosting.reason(new Exception("plain words stay as they are")));
        assertEquals("null", Boosting.reason(new Exception((String) null)));
    }
}
