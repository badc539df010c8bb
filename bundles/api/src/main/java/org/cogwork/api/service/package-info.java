/**
 * The one rule for services found by name (engines, transforms, data sources): {@link NamedServices}.
 *
 * @since 0.1
 */
@Export
@Version("0.1.0")
package org.cogwork.api.service;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
