/**
 * The query model as JSON, shared by every REST area that accepts a query (sources, training specs).
 *
 * @since 0.1
 */
@Export
@Version("0.1.0")
package org.cogwork.sources.query;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
