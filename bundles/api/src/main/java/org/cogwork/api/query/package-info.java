/**
 * The source-independent query model: selection, filters, ordering and limits, evaluated or pushed down by every connector.
 *
 * @since 0.1
 */
@Export
@Version("0.1.0")
package org.cogwork.api.query;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
