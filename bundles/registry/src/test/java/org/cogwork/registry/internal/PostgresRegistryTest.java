package org.cogwork.registry.internal;

import java.sql.SQLException;
import java.util.Map;
import org.cogwork.persistence.testing.PostgresSchema;
import org.junit.jupiter.api.AfterAll;

/** The registry on a real PostgreSQL server (see {@link PostgresSchema}): each test class in a fresh schema, dropped afterwards. */
class PostgresRegistryTest extends RegistryContractTest {
    static final PostgresSchema SCHEMA = new PostgresSchema("cw_registry_");

    @Override
    Map<String, Object> dbConfig() {
        return SCHEMA.config();
    }

    @AfterAll
    static void dropSchema() throws SQLException {
        SCHEMA.drop();
    }
}
