/**
 * Engine SPI: what an ML engine bundle (Tribuo, DJL, ...) implements and publishes as a service.
 *
 * @since 0.1 (0.2: {@link org.cogwork.api.engine.EngineInfo#algorithm(String, Task)},
 *     {@link org.cogwork.api.engine.TrainingRequest#targetField()}; 0.3:
 *     {@link org.cogwork.api.engine.Engine#checkHyperparameters}; 0.4: typed
 *     {@link org.cogwork.api.engine.Hyperparameter} descriptions in {@link org.cogwork.api.engine.AlgorithmInfo},
 *     checked by the default {@code checkHyperparameters} and resolved with
 *     {@link org.cogwork.api.engine.EngineInfo#resolve})
 */
@Export
@Version("0.4.0")
package org.cogwork.api.engine;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
