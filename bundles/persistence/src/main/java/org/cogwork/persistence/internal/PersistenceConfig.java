package org.cogwork.persistence.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Where the metadata database is (PID {@value #PID}, file {@code config/org.cogwork.persistence.cfg}). Where it
 * sets no URL, the same keys in {@code config/org.cogwork.registry.cfg}, where they lived before this bundle
 * existed, are read at activation (see {@link MetadataStore#legacy}).
 */
@ObjectClassDefinition(id = PersistenceConfig.PID, name = "Cogwork metadata database",
        description = "The database every platform bundle keeps its tables in: experiments, runs, models, jobs, the prediction log, accounts.")
public @interface PersistenceConfig {
    String PID = "org.cogwork.persistence";
    /** Before 0.4 the registry owned the database and these keys were in its configuration. */
    String LEGACY_PID = "org.cogwork.registry";

    @AttributeDefinition(name = "JDBC URL", required = false,
            description = "jdbc:postgresql://host:5432/db (or jdbc:h2:...). Empty: an embedded H2 database in "
                    + "data/metadata/cogwork. Put the password in 'password', not in the URL.")
    String url() default "";

    @AttributeDefinition(name = "User", required = false)
    String user() default "";

    /** A secret: sealed at rest, masked by the REST API (by this declaration), never logged. */
    @AttributeDefinition(name = "Password", type = AttributeType.PASSWORD, required = false)
    String password() default "";

    @AttributeDefinition(name = "Pool size", description = "Maximum database connections held by the pool.")
    int pool_max() default 8;
}
