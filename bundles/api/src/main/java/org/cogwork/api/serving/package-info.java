/**
 * Prediction service and the prediction log that monitoring and active learning read.
 *
 * @since 0.1
 */
@Export
@Version("0.2.0")
package org.cogwork.api.serving;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
