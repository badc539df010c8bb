package org.cogwork.connector.jdbc;

import org.cogwork.api.connector.DataSource;
import org.cogwork.connector.contract.QueryContract;
import org.junit.jupiter.api.AfterAll;

/** A real PostgreSQL server (127.0.0.1:5432, database test): skipped with a message where none runs, never in CI. */
class PostgresContractTest extends QueryContract {
    static final String URL = System.getProperty("cogwork.test.postgres.url", "jdbc:postgresql://127.0.0.1:5432/test");
    static final String USER = System.getProperty("cogwork.test.postgres.user", "postgres");
    static JdbcSource pg;

    @Override
    protected DataSource source() throws Exception {
        if (pg == null) {
            JdbcTables.requireServer(URL, USER, "");
            JdbcTables.load(URL, USER, "", TABLE, schema, reference, FILE);
            pg = JdbcTables.jdbc("pg", URL, USER, "", tmp);
        }
        return pg;
    }

    @Override
    protected String dataset() {
        return TABLE;
    }

    @AfterAll
    static void close() {
        if (pg != null) {
            pg.close();
            pg = null;
        }
    }
}
