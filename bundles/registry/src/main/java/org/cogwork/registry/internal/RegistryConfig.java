package org.cogwork.registry.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** The metadata store and artifact storage of the registry (PID {@value #PID}, file {@code config/org.cogwork.registry.cfg}). */
@ObjectClassDefinition(id = RegistryConfig.PID, name = "Cogwork registry",
        description = "Where experiments, runs, metrics and registered models are kept, and where artifact bytes go.")
public @interface RegistryConfig {
    String PID = "org.cogwork.registry";

    @AttributeDefinition(name = "JDBC URL", required = false,
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
