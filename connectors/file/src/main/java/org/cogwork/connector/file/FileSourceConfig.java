package org.cogwork.connector.file;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** One file data source (factory PID {@value #PID}), e.g. {@code config/org.cogwork.connector.file-credit.cfg}. */
@ObjectClassDefinition(id = FileSourceConfig.PID, name = "Cogwork file source",
        description = "CSV or JSON Lines files (optionally .gz) in a file or folder.")
public @interface FileSourceConfig {
    String PID = "org.cogwork.connector.file";

    @AttributeDefinition(name = "Source id", description = "Unique id of the source, used in the REST API and training specs.")
    String cogwork_source_id();

    @AttributeDefinition(name = "Path", description = "A .csv/.jsonl file, or a folder whose such files (up to 3 levels deep) are the datasets.")
    String path();

    @AttributeDefinition(name = "Type overrides", description = "column:TYPE pairs, comma separated, e.g. 'Status:CATEGORICAL,Age:DOUBLE'.", required = false)
    String types() default "";

    @AttributeDefinition(name = "Bad rows", description = "fail, skip or null: what to do with a malformed row or cell.")
    String on_error() default "fail";

    @AttributeDefinition(name = "Inference sample", description = "Rows read to infer column types.")
    int infer_rows() default 10_000;

    @AttributeDefinition(name = "Refresh interval (s)", description = "How often to look for changed or new files; 0 disables refresh.")
    long refresh_interval_seconds() default 0;
}
