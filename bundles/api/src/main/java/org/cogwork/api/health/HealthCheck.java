package org.cogwork.api.health;

import java.util.List;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A health check any bundle may publish (a store, an engine, a connector). The runtime's {@code /health}
 * runs them all; one that is down makes the system DOWN. Must answer within a second.
 */
@ConsumerType
public interface HealthCheck {
    String name();

    HealthResult check();

    /**
     * What a person should look at without the system being DOWN, one sentence each (e.g. a model behind an alias
     * that cannot be served because its engine is missing); {@code /health} lists them under {@code warnings}.
     * Called after {@link #check()}, within the same second. None by default.
     *
     * @since 0.2
     */
    default List<String> warnings() {
        return List.of();
    }
}
