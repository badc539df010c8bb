/**
 * The metadata database as a platform service. A bundle that keeps tables gets a {@link org.cogwork.persistence.Database}
 * service and ships its schema as versioned scripts in its own {@code db/migration/} folder; the scripts are applied
 * once, in version order, before the bundle's first use of the database.
 *
 * @since 0.1
 */
@Export
@Version("1.0.0")
package org.cogwork.persistence;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
