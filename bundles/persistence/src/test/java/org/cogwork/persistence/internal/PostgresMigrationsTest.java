package org.cogwork.persistence.internal;

import java.sql.SQLException;
import java.util.Map;
import org.cogwork.persistence.testing.PostgresSchema;
import org.junit.jupiter.api.AfterAll;

/** Migrations on a real PostgreSQL server (see {@link PostgresSchema}): each test class in a fresh schema, dropped afterwards. */
class PostgresMigrationsTest extends MigrationsContractTest {
    static final PostgresSchema SCHEMA = new PostgresSchema("cw_migrations_");

    @Override
    Map<String, Object> dbConfig() {
        return SCHEMA.config();
    }

    @AfterAll
    static void dropSchema() throws SQLException {
        SCHEMA.drop();
    }
}
