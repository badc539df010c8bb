package org.cogwork.registry.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The registry's artifact storage (PID {@value #PID}, file {@code config/org.cogwork.registry.cfg}). The database
 * keys (url, user, password, pool.max) are the persistence bundle's now ({@code org.cogwork.persistence}); it still
 * reads them here, where they were before, and they stay declared here so a password in this file is still sealed.
 */
@ObjectClassDefinition(id = RegistryConfig.PID, name = "Cogwork registry",
        description = "Where artifact bytes go. The database settings here are read by org.cogwork.persistence (deprecated: set them there).")
public @interface RegistryConfig {
    String PID = "org.cogwork.registry";

    @AttributeDefinition(name = "JDBC URL (deprecated: org.cogwork.persistence)", required = false,
            description = "jdbc:postgresql://host:5432/db (or jdbc:h2:...). Empty: an embedded H2 database in "
                    + "data/metadata/cogwork. Put the password in 'password', not in the URL.")
    String url() default "";

    @AttributeDefinition(name = "User", required = false)
    String user() default "";

    /** A secret: masked by the REST API (by this declaration), never logged. */
    @AttributeDefinition(name = "Password", type = AttributeType.PASSWORD, required = false)
    String password() default "";

    @AttributeDefinition(name = "Pool size", description = "Maximum database connections held by the pool.")
    int pool_max() default 8;

    @AttributeDefinition(name = "Artifact storage",
            description = "'local' (data/artifacts/) or the name (cogwork.artifacts.name) of an ArtifactStorage "
                    + "service, e.g. an org.cogwork.artifacts.s3 configuration of the S3 connector.")
    String artifact_storage() default "local";
}
