package org.cogwork.connector.jdbc;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** One database data source (factory PID {@value #PID}). */
@ObjectClassDefinition(id = JdbcSourceConfig.PID, name = "Cogwork JDBC source",
        description = "Tables and views of a relational database: H2 (embedded default), PostgreSQL, MariaDB.")
public @interface JdbcSourceConfig {
    String PID = "org.cogwork.connector.jdbc";

    @AttributeDefinition(name = "Source id", description = "Unique id of the source.")
    String cogwork_source_id();

    @AttributeDefinition(name = "JDBC URL", required = false,
            description = "jdbc:h2:..., jdbc:postgresql://host:5432/db or jdbc:mariadb://host:3306/db. Empty: an "
                    + "embedded H2 database in the runtime's data/ folder. Put the password in 'password', not in the URL. H2: "
                    + "only harmless settings (no INIT), files under data/sources/; no class or file parameters.")
    String url() default "";

    @AttributeDefinition(name = "User", required = false)
    String user() default "";

    /** A secret: masked by the REST API (by this declaration), never logged. */
    @AttributeDefinition(name = "Password", type = AttributeType.PASSWORD, required = false)
    String password() default "";

    @AttributeDefinition(name = "Schema", required = false,
            description = "Schema (PostgreSQL, H2) or database (MariaDB) whose tables are the datasets; default: the connection's.")
    String schema() default "";

    @AttributeDefinition(name = "Pool size", description = "Maximum connections held by the pool.")
    int pool_max() default 4;

    @AttributeDefinition(name = "Connect timeout (s)", description = "How long to wait for a connection before failing.")
    int connect_timeout_seconds() default 10;

    @AttributeDefinition(name = "Query timeout (s)", description = "Statement timeout of every query.")
    int query_timeout_seconds() default 300;

    @AttributeDefinition(name = "Fetch size", description = "Rows fetched per round trip while streaming.")
    int fetch_size() default 1000;

    @AttributeDefinition(name = "Type overrides", required = false,
            description = "column:TYPE pairs applied to any table that has the column, e.g. 'Status:CATEGORICAL'.")
    String types() default "";

    @AttributeDefinition(name = "Refresh interval (s)", description = "How often to look for new data; 0 disables refresh.")
    long refresh_interval_seconds() default 0;

    @AttributeDefinition(name = "Change column", required = false,
            description = "Column whose maximum marks new data (an id or a timestamp); only tables that have it are "
                    + "watched. Without it every table's row count is compared.")
    String change_column() default "";
}
