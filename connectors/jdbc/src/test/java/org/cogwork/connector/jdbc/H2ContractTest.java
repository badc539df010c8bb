package org.cogwork.connector.jdbc;

import org.cogwork.api.connector.DataSource;
import org.cogwork.connector.contract.QueryContract;
import org.junit.jupiter.api.AfterAll;

/** Embedded H2, the default database: no server needed. */
class H2ContractTest extends QueryContract {
    static JdbcSource h2;

    @Override
    protected DataSource source() throws Exception {
        if (h2 == null) {
            String url = "jdbc:h2:file:" + tmp.resolve("sources/credit").toAbsolutePath();
            JdbcTables.load(url, "sa", "", TABLE, schema, reference, FILE);
            h2 = JdbcTables.jdbc("h2", url, "sa", "", tmp);
        }
        return h2;
    }

    @Override
    protected String dataset() {
        return TABLE;
    }

    @AfterAll
    static void close() {
        if (h2 != null) {
            h2.close();
            h2 = null;
        }
    }
}
