package org.cogwork.runtime.rest;

import org.cogwork.api.problem.ApiException;

/** Turns a refusal into the body a resource's clients expect. The status stays the exception's. */
@FunctionalInterface
public interface ErrorShape {
    /** The default: {@code {"error", "field", "detail"}}. */
    ErrorShape DEFAULT = e -> new ErrorBody(e.getMessage(), e.field(), e.detail());

    Object body(ApiException e);
}
