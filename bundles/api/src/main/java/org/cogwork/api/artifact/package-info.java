/**
 * Artifact storage SPI: where the registry keeps the bytes of run artifacts and model files.
 *
 * @since 0.1
 */
@Export
@Version("0.1.0")
package org.cogwork.api.artifact;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
