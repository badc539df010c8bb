/**
 * Building blocks shared by connector bundles: CSV and JSON Lines readers with schema inference and bad-row
 * policies, their writers and the byte side of a {@code DataSink} ({@link org.cogwork.connector.support.DatasetWriter}:
 * writable names, rows encoded, counted and checksummed; {@link org.cogwork.connector.support.SchemaRecord}: the
 * schema a dataset was written with, kept next to it), the query model bound to a schema (validation with the
 * column named, streaming evaluation with SQL's three-valued logic), and change detection for data refresh.
 *
 * @since 0.1
 */
@Export
@Version("0.2.0")
package org.cogwork.connector.support;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
