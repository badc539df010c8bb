/**
 * The one way Cogwork's REST areas speak JSON: a shared {@link org.cogwork.runtime.rest.Json} mapper with parser
 * limits and body reader ({@code Json.readObject}: anything but a JSON object is a 400 naming the body, Jackson's
 * failures become 400s naming the JSON path and the expected JSON type), the error shape
 * {@code {"error": ..., "field": ..., "detail": ...}} (safe by construction: no class names, inputs quoted
 * shortly) and a servlet base class that maps exceptions onto it. Every bundle that registers REST resources
 * through the servlet whiteboard uses it.
 *
 * @since 0.1
 */
@Export
@Version("0.2.0")
package org.cogwork.runtime.rest;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
