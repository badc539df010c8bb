/**
 * The one way Cogwork's REST areas speak JSON: a shared {@link org.cogwork.runtime.rest.Json} mapper, the
 * error shape {@code {"error": ..., "field": ..., "detail": ...}} and a servlet base class that maps
 * exceptions onto it. Every bundle that registers REST resources through the servlet whiteboard uses it.
 *
 * @since 0.1
 */
@Export
@Version("0.2.0")
package org.cogwork.runtime.rest;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
