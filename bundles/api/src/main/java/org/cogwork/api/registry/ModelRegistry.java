package org.cogwork.api.registry;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Registered models, their versions and aliases ({@code production}, {@code staging}, ...). Implemented by
 * the platform only. Thread-safe; alias moves are atomic: an alias names exactly one version at any time.
 */
@ProviderType
public interface ModelRegistry {
    /** The alias serving uses when a caller names none. */
    String DEFAULT_ALIAS = "production";

    ModelVersion createVersion(String modelName, String runId, String artifactUri, Map<String, Object> provenance);

    Optional<ModelVersion> version(String modelName, int version);

    Optional<ModelVersion> byAlias(String modelName, String alias);

    /** Points the alias at the version, taking it from whichever version held it before. */
    void setAlias(String modelName, String alias, int version);

    void deleteAlias(String modelName, String alias);

    List<ModelVersion> versions(String modelName);
}
