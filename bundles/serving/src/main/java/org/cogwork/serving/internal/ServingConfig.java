package org.cogwork.serving.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Serving limits (PID {@value #PID}). */
@ObjectClassDefinition(id = ServingConfig.PID, name = "Cogwork serving")
public @interface ServingConfig {
    String PID = "org.cogwork.serving";

    @AttributeDefinition(name = "Maximum rows per request", description = "At most 65,536 (a request's prediction ids "
            + "number its rows in 16 bits); a larger value counts as 65,536.")
    int max_rows() default 10_000;

    @AttributeDefinition(name = "Maximum request body (bytes)", description = "Larger bodies get 413.")
    long max_body_bytes() default 16L * 1024 * 1024;

    @AttributeDefinition(name = "Loaded models kept", description = "Least recently used models beyond this are closed.")
    int cache_size() default 16;

    @AttributeDefinition(name = "Prediction log lag", description = "Predictions journaled but not yet in the metadata store; "
            + "beyond it predict answers 429 with Retry-After (nothing acknowledged is dropped).")
    int log_queue() default 50_000;
}
