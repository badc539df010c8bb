/**
 * Feedback on predictions: ratings, corrected labels and comments from users.
 *
 * @since 0.1
 */
@Export
@Version("0.1.0")
package org.cogwork.api.feedback;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
