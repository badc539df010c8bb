/**
 * Experiment tracking: experiments, runs, parameters, metric series and artifacts.
 *
 * @since 0.1
 */
@Export
@Version("0.1.0")
package org.cogwork.api.tracking;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
