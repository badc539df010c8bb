package org.cogwork.registry.internal;

import java.util.Map;

/** The registry on the embedded default: H2 in a file under the data folder. */
class H2RegistryTest extends RegistryContractTest {
    @Override
    Map<String, Object> dbConfig() {
        return Map.of();
    }
}
