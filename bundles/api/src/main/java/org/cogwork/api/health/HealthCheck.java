package org.cogwork.api.health;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A health check any bundle may publish (a store, an engine, a connector). The runtime's {@code /health}
 * runs them all; one that is down makes the system DOWN. Must answer within a second.
 */
@ConsumerType
public interface HealthCheck {
    String name();

    HealthResult check();
}
