package org.cogwork.connector.s3;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * One S3 data source (factory PID {@value #PID}), e.g. {@code config/org.cogwork.connector.s3-lake.cfg}, or
 * {@code POST /api/sources {"id": "lake", "kind": "s3", "config": {"bucket": ..., "secret.key": ...}}}.
 */
@ObjectClassDefinition(id = S3SourceConfig.PID, name = "Cogwork S3 source",
        description = "CSV or JSON Lines objects (optionally .gz) under a prefix of an S3 or S3-compatible bucket.")
public @interface S3SourceConfig {
    String PID = "org.cogwork.connector.s3";

    @AttributeDefinition(name = "Source id", description = "Unique id of the source, used in the REST API and training specs.")
    String cogwork_source_id();

    @AttributeDefinition(name = "Bucket", description = "Name of the bucket.")
    String bucket();

    @AttributeDefinition(name = "Prefix", description = "Folder in the bucket whose .csv/.jsonl/.ndjson objects (at any depth) are the datasets; empty for the whole bucket.", required = false)
    String prefix() default "";

    @AttributeDefinition(name = "Endpoint", description = "Endpoint of an S3-compatible store (MinIO, Ceph, S3Proxy...), e.g. 'http://127.0.0.1:9000'; empty for Amazon S3.", required = false)
    String endpoint() default "";

    @AttributeDefinition(name = "Region", description = "Signing region; S3-compatible stores usually accept the default.")
    String region() default "us-east-1";

    @AttributeDefinition(name = "Path-style access", description = "Address buckets as endpoint/bucket instead of bucket.endpoint; most S3-compatible stores need this.")
    boolean path_style() default false;

    @AttributeDefinition(name = "Access key", description = "Access key id; empty for the default AWS credential chain (environment, profile, instance role), then anonymous access.", type = AttributeType.PASSWORD, required = false)
    String access_key() default "";

    @AttributeDefinition(name = "Secret key", description = "Secret access key; masked by the REST API (declared PASSWORD), never logged.", type = AttributeType.PASSWORD, required = false)
    String secret_key() default "";

    @AttributeDefinition(name = "Type overrides", description = "column:TYPE pairs, comma separated, e.g. 'Status:CATEGORICAL,Age:DOUBLE'.", required = false)
    String types() default "";

    @AttributeDefinition(name = "Bad rows", description = "fail, skip or null: what to do with a malformed row or cell.")
    String on_error() default "fail";

    @AttributeDefinition(name = "Inference sample", description = "Rows read to infer column types.")
    int infer_rows() default 10_000;

    @AttributeDefinition(name = "Refresh interval (s)", description = "How often to look for changed or new objects (by ETag); 0 disables refresh.")
    long refresh_interval_seconds() default 0;

    @AttributeDefinition(name = "Timeout (s)", description = "Bound on connecting and on each API call, so an unreachable endpoint is an error rather than a hang.")
    int timeout_seconds() default 30;
}
