package org.cogwork.api.tracking;

import java.time.Instant;
import java.util.Map;

/**
 * A tracked run.
 *
 * @param end {@code null} while running
 */
public record Run(String id, String experimentId, String name, RunStatus status, Instant start, Instant end,
                  Map<String, String> params, Map<String, String> tags) {
    public Run {
        params = params == null ? Map.of() : Map.copyOf(params);
        tags = tags == null ? Map.of() : Map.copyOf(tags);
    }
}
