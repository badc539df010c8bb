/**
 * Building blocks shared by connector bundles: CSV and JSON Lines readers with schema inference and bad-row
 * policies, the query model bound to a schema (validation with the column named, streaming evaluation with
 * SQL's three-valued logic), and change detection for data refresh.
 *
 * @since 0.1
 */
@Export
@Version("0.1.0")
package org.cogwork.connector.support;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
