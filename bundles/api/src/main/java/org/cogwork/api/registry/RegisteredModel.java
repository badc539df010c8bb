package org.cogwork.api.registry;

import java.time.Instant;
import java.util.Map;

/** A registered model: a name under which versions are kept, with aliases pointing at some of them. */
public record RegisteredModel(String name, String description, Instant created, Instant updated,
                              Map<String, String> tags, Map<String, Integer> aliases) {
    public RegisteredModel {
        tags = tags == null ? Map.of() : Map.copyOf(tags);
        aliases = aliases == null ? Map.of() : Map.copyOf(aliases);
    }
}
