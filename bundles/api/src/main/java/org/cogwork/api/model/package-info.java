/**
 * The trained-model package ({@code model.zip}): what training writes and serving, evaluation and the MLflow
 * bridge read. Only {@link org.cogwork.api.model.ModelPackage} knows its layout.
 *
 * @since 0.1
 */
@Export
@Version("0.1.0")
package org.cogwork.api.model;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
