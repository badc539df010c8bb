package org.cogwork.runtime.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Live configuration of the runtime bundle, PID {@value #PID} (file {@code config/org.cogwork.runtime.cfg}). */
@ObjectClassDefinition(id = RuntimeConfig.PID, name = "Cogwork runtime",
        description = "Health rules and limits of the management API. Changes apply without a restart.")
public @interface RuntimeConfig {
    String PID = "org.cogwork.runtime";

    @AttributeDefinition(name = "Instance name", description = "Name of this Cogwork instance, shown by /health.")
    String instance_name() default "cogwork";

    @AttributeDefinition(name = "Required components",
            description = "Declarative Services components that must be active for /health to answer UP.")
    String[] required_components() default {
        "org.cogwork.runtime.health", "org.cogwork.runtime.bundles", "org.cogwork.runtime.services",
        "org.cogwork.runtime.engines", "org.cogwork.runtime.events", "org.cogwork.runtime.crosssite"
    };

    @AttributeDefinition(name = "Maximum upload size (bytes)",
            description = "Largest bundle jar accepted by POST /api/bundles; larger uploads get 413.")
    long upload_max_bytes() default 256L * 1024 * 1024;

    @AttributeDefinition(name = "Allowed host names", required = false,
            description = "Host names (any port) browsers may use besides this server's own (loopback, the bound address), "
                    + "e.g. a reverse proxy's. Requests with another Host or Origin are refused (403).")
    String[] allowed_hosts() default {};

    @AttributeDefinition(name = "Data roots", required = false,
            description = "Folders of this host that file sources and TorchScript files may use, comma-separated; relative "
                    + "paths are below the Cogwork home. Anything else is refused (400 naming the path).")
    String[] data_roots() default {"data/files"};
}
