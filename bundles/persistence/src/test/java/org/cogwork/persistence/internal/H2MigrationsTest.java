package org.cogwork.persistence.internal;

import java.util.Map;

/** Migrations on the embedded default: H2 in a file under the data folder. */
class H2MigrationsTest extends MigrationsContractTest {
    @Override
    Map<String, Object> dbConfig() {
        return Map.of();
    }
}
