/**
 * Connector SPI: a configured data source exposing datasets, schemas, previews and streaming reads
 * ({@link org.cogwork.api.connector.DataSource}), and the write side, {@link org.cogwork.api.connector.DataSink}:
 * a source that also writes datasets atomically, readable back with the schema written.
 *
 * @since 0.1
 */
@Export
@Version("0.2.0")
package org.cogwork.api.connector;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
