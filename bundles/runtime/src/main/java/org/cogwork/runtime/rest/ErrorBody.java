package org.cogwork.runtime.rest;

import com.fasterxml.jackson.annotation.JsonInclude;

/** The single JSON error shape of every Cogwork endpoint. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ErrorBody(String error, String field, String detail) {
}
