/**
 * Event Admin topics and property keys published by the platform.
 *
 * @since 0.1
 */
@Export
@Version("0.3.0")
package org.cogwork.api.event;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
