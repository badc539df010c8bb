/**
 * Health checks contributed by any bundle and aggregated by the runtime's /health.
 *
 * @since 0.1 (0.2: {@link HealthCheck#warnings()})
 */
@Export
@Version("0.2.0")
package org.cogwork.api.health;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
