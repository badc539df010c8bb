/**
 * Engine SPI: what an ML engine bundle (Tribuo, DJL, ...) implements and publishes as a service.
 *
 * @since 0.1 (0.2: {@link org.cogwork.api.engine.EngineInfo#algorithm(String, Task)},
 *     {@link org.cogwork.api.engine.TrainingRequest#targetField()})
 */
@Export
@Version("0.2.0")
package org.cogwork.api.engine;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
