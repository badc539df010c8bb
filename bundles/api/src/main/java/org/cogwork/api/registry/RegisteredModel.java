package org.cogwork.api.registry;

import java.time.Instant;
import java.util.Map;
import org.cogwork.api.problem.Fields;
import org.cogwork.api.problem.InvalidFieldException;

/** A registered model: a name under which versions are kept, with aliases pointing at some of them. */
public record RegisteredModel(String name, String description, Instant created, Instant updated,
                              Map<String, String> tags, Map<String, Integer> aliases) {
    public RegisteredModel {
        tags = tags == null ? Map.of() : Map.copyOf(tags);
        aliases = aliases == null ? Map.of() : Map.copyOf(aliases);
    }

    /**
     * Model tags whose keys start with this are the platform's (e.g. {@code cogwork.traffic}, the traffic policy,
     * changed only through {@code PUT /api/models/{name}/traffic} so that it is validated, audited and announced).
     *
     * @since 0.4
     */
    public static final String PLATFORM_TAG_PREFIX = "cogwork.";

    /**
     * {@code key} if a caller may set a model tag under it, else a 400 naming {@code field}: keys starting with
     * {@link #PLATFORM_TAG_PREFIX} are the platform's. REST layers call this; platform code setting its own tags
     * through {@link ModelRegistry#setModelTag} does not.
     *
     * @since 0.4
     */
    public static String checkCallerTagKey(String key, String field) {
        if (key != null && key.startsWith(PLATFORM_TAG_PREFIX)) {
            throw new InvalidFieldException(field, "tags whose keys start with '" + PLATFORM_TAG_PREFIX
                    + "' are kept by the platform; a traffic policy is set with PUT /api/models/{name}/traffic");
        }
        return key;
    }

    /**
     * {@code name} if it can name a model (1-250 characters, no '/', no control characters, no surrounding
     * spaces: it appears in paths), else a 400 naming {@code field}.
     *
     * @since 0.3
     */
    public static String checkName(String name, String field) {
        Fields.require(name, field);
        Fields.limit(name, 250, field);
        if (name.contains("/") || name.chars().anyMatch(Character::isISOControl) || !name.strip().equals(name)) {
            throw new InvalidFieldException(field, "model name '" + name + "' must not contain '/', control characters or surrounding spaces");
        }
        return name;
    }
}
