/**
 * Data model: schemas, rows and streaming datasets shared by connectors, transforms and engines.
 *
 * @since 0.1
 */
@Export
@Version("0.1.0")
package org.cogwork.api.data;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
