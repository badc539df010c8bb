package org.cogwork.connector.jdbc;

import org.cogwork.api.connector.DataSource;
import org.cogwork.connector.contract.QueryContract;
import org.junit.jupiter.api.AfterAll;

/** A real MariaDB server (127.0.0.1:3306, database test): skipped with a message where none runs, never in CI. */
class MariaDbContractTest extends QueryContract {
    static final String URL = System.getProperty("cogwork.test.mariadb.url", "jdbc:mariadb://127.0.0.1:3306/test");
    static final String USER = System.getProperty("cogwork.test.mariadb.user", "root");
    static JdbcSource maria;

    @Override
    protected DataSource source() throws Exception {
        if (maria == null) {
            JdbcTables.requireServer(URL, USER, "");
            JdbcTables.load(URL, USER, "", TABLE, schema, reference, FILE);
            maria = JdbcTables.jdbc("maria", URL, USER, "", tmp);
        }
        return maria;
    }

    @Override
    protected String dataset() {
        return TABLE;
    }

    @AfterAll
    static void close() {
        if (maria != null) {
            maria.close();
            maria = null;
        }
    }
}
