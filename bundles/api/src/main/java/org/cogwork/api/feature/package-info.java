/**
 * Feature transforms with fit/transform semantics; fitted transforms are saved with the model.
 *
 * @since 0.1
 */
@Export
@Version("0.3.0")
package org.cogwork.api.feature;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
