package org.cogwork.serving.internal;

import java.util.Map;

/** The prediction log on the embedded default: H2 in a file under the data folder. */
class H2PredictionLogTest extends PredictionLogContractTest {
    @Override
    Map<String, Object> dbConfig() {
        return Map.of();
    }
}
