/**
 * The one REST layer: a bundle declares its routes in a {@link org.cogwork.runtime.rest.RestResource} service
 * ({@link org.cogwork.runtime.rest.Routes}, {@link org.cogwork.runtime.rest.Route}: method, path template, roles,
 * body and response types) and its handlers see a {@link org.cogwork.runtime.rest.Call}; the runtime's dispatcher
 * does authentication checks, strict binding ({@link org.cogwork.runtime.rest.Json}), error mapping
 * ({@link org.cogwork.runtime.rest.Problems} onto {@link org.cogwork.runtime.rest.ErrorBody} or a resource's
 * {@link org.cogwork.runtime.rest.ErrorShape}), the audit log and the OpenAPI document. Also: MetaType
 * {@code PASSWORD} lookup and URL masking ({@link org.cogwork.runtime.rest.Secrets}).
 *
 * @since 0.1
 */
@Export
@Version("0.5.0")
package org.cogwork.runtime.rest;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
