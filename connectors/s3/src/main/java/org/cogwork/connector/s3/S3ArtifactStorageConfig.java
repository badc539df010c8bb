package org.cogwork.connector.s3;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * One S3 artifact storage (factory PID {@value #PID}), e.g. {@code config/org.cogwork.artifacts.s3-lake.cfg} with
 * {@code name=lake}; the registry uses it when its {@code artifact.storage} is {@code lake}.
 */
@ObjectClassDefinition(id = S3ArtifactStorageConfig.PID, name = "Cogwork S3 artifact storage",
        description = "Artifact bytes (run artifacts, model files) in an S3 or S3-compatible bucket.")
public @interface S3ArtifactStorageConfig {
    String PID = "org.cogwork.artifacts.s3";

    @AttributeDefinition(name = "Name", description = "Name of the storage (service property cogwork.artifacts.name), "
            + "matched by the registry's artifact.storage.")
    String name();

    @AttributeDefinition(name = "Bucket", description = "Name of the bucket.")
    String bucket();

    @AttributeDefinition(name = "Prefix", description = "Folder in the bucket that holds the artifacts; empty for the bucket's root.", required = false)
    String prefix() default "";

    @AttributeDefinition(name = "Endpoint", description = "Endpoint of an S3-compatible store, e.g. 'http://127.0.0.1:9000'; empty for Amazon S3.", required = false)
    String endpoint() default "";

    @AttributeDefinition(name = "Region", description = "Signing region.")
    String region() default "us-east-1";

    @AttributeDefinition(name = "Path-style access", description = "Address buckets as endpoint/bucket; most S3-compatible stores need this.")
    boolean path_style() default false;

    @AttributeDefinition(name = "Access key", description = "Access key id; empty for the default AWS credential chain.", type = AttributeType.PASSWORD, required = false)
    String access_key() default "";

    @AttributeDefinition(name = "Secret key", description = "Secret access key; masked by the REST API (declared PASSWORD), never logged.", type = AttributeType.PASSWORD, required = false)
    String secret_key() default "";

    @AttributeDefinition(name = "Timeout (s)", description = "Bound on connecting and on each API call.")
    int timeout_seconds() default 60;
}
