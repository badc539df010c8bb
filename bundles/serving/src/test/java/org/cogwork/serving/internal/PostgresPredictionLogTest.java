package org.cogwork.serving.internal;

import java.sql.SQLException;
import java.util.Map;
import org.cogwork.persistence.testing.PostgresSchema;
import org.junit.jupiter.api.AfterAll;

/** The prediction log on a real PostgreSQL server (see {@link PostgresSchema}): each test class in a fresh schema, dropped afterwards. */
class PostgresPredictionLogTest extends PredictionLogContractTest {
    static final PostgresSchema SCHEMA = new PostgresSchema("cw_serving_");

    @Override
    Map<String, Object> dbConfig() {
        return SCHEMA.config();
    }

    @AfterAll
    static void dropSchema() throws SQLException {
        SCHEMA.drop();
    }
}
