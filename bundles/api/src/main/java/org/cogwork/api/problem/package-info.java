/**
 * The failures a request can meet, as exception types every bundle throws and the REST layer maps, in one place,
 * onto one error shape: {@link org.cogwork.api.problem.InvalidFieldException} (400, naming the field),
 * {@link org.cogwork.api.problem.ForbiddenException} (403), {@link org.cogwork.api.problem.NotFoundException}
 * (404), {@link org.cogwork.api.problem.ConflictException} (409), {@link org.cogwork.api.problem.TooManyRequestsException}
 * (429), {@link org.cogwork.api.problem.ServiceUnavailableException} (503 with Retry-After);
 * {@link org.cogwork.api.problem.ApiException} itself for the rarer statuses (405, 413, 415, 422).
 *
 * @since 0.3
 */
@Export
@Version("0.5.0")
package org.cogwork.api.problem;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
