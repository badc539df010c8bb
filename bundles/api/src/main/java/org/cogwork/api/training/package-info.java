/**
 * Training jobs: a training spec in, a job with progress, metrics and a model artifact out. The active-learning
 * loop submits retraining through {@link org.cogwork.api.training.TrainingService}.
 *
 * @since 0.1
 */
@Export
@Version("0.5.0")
package org.cogwork.api.training;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
