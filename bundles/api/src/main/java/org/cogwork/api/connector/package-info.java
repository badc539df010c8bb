/**
 * Connector SPI: a configured data source exposing datasets, schemas, previews and streaming reads.
 *
 * @since 0.1
 */
@Export
@Version("0.1.0")
package org.cogwork.api.connector;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
