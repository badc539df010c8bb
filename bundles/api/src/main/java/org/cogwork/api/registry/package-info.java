/**
 * Model registry: registered models, versions and movable aliases.
 *
 * @since 0.1
 */
@Export
@Version("0.5.0")
package org.cogwork.api.registry;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
