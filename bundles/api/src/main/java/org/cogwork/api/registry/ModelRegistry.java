package org.cogwork.api.registry;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.cogwork.api.problem.InvalidFieldException;
import org.cogwork.api.problem.NotFoundException;
import org.cogwork.api.tracking.Page;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Registered models, their versions and aliases ({@code production}, {@code staging}, ...). Implemented by
 * the platform. Thread-safe; every method is durable when it returns. Alias moves are atomic: at any time an
 * alias names exactly one version, even under concurrent moves. Deletes are soft and audited.
 *
 * <p>Errors: unknown names or versions throw {@link NotFoundException} (404); invalid names or values
 * throw {@link InvalidFieldException} naming the field (400).
 */
@ProviderType
public interface ModelRegistry {
    /** The alias serving uses when a caller names none. */
    String DEFAULT_ALIAS = "production";

    /**
     * Registers a model, recorded in the audit log with {@code actor}.
     *
     * @throws InvalidFieldException when the name is invalid or already registered
     */
    RegisteredModel createModel(String name, String description, Map<String, String> tags, String actor);

    Optional<RegisteredModel> model(String name);

    /**
     * How many writes to models, versions, aliases and tags this node has committed since it started: a counter a
     * cache compares in nanoseconds to notice a local change at once (a client that moves an alias and predicts
     * right after sees the new version). Writes made by other nodes sharing the store are not counted; a cache
     * bounds its staleness for those by re-reading (serving: at most once a second).
     *
     * @since 0.5
     */
    long localChanges();

    Page<RegisteredModel> searchModels(String nameLike, int maxResults, String pageToken);

    /** Changes the description, recorded in the audit log with {@code actor}. */
    RegisteredModel updateModel(String name, String description, String actor);

    /** Soft delete, recorded in the audit log with {@code actor}. */
    void deleteModel(String name, String actor);

    void setModelTag(String name, String key, String value);

    /**
     * Registers a new version (numbered 1, 2, ... per model); creates the model when absent. Audited with
     * {@code actor} (who signed in, or which job).
     */
    ModelVersion createVersion(String modelName, String runId, String source, String description,
                               Map<String, Object> provenance, Map<String, String> tags, String actor);

    Optional<ModelVersion> version(String modelName, int version);

    List<ModelVersion> versions(String modelName);

    /** @param filter MLflow subset: {@code name='x'} and/or {@code run_id='y'}, or {@code null} */
    Page<ModelVersion> searchVersions(String filter, int maxResults, String pageToken);

    ModelVersion updateVersion(String modelName, int version, String description, String approval, String actor);

    /** Soft delete; a version holding aliases loses them. Audited. */
    void deleteVersion(String modelName, int version, String actor);

    void setVersionTag(String modelName, int version, String key, String value);

    /** Points the alias at the version, taking it from whichever version held it before. Audited. */
    void setAlias(String modelName, String alias, int version, String actor);

    void deleteAlias(String modelName, String alias, String actor);

    Optional<ModelVersion> byAlias(String modelName, String alias);

    /** Audit entries (newest first) for a model: who did what, when. */
    List<Map<String, Object>> audit(String modelName, int max);
}
