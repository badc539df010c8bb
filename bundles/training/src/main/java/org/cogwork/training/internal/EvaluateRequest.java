package org.cogwork.training.internal;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import org.cogwork.api.problem.InvalidFieldException;
import org.cogwork.runtime.rest.Json;

/**
 * The body of {@code POST /api/models/{name}/versions/{version}/evaluate}, bound strictly (an unknown field or a
 * wrong JSON type is a 400 naming it): the labelled rows to score the version on.
 *
 * <pre>{@code {"source": "data", "dataset": "credit_data.csv", "query": {"where": {"column": "Age", "op": ">=", "value": 40}}}}</pre>
 *
 * @param query which rows (as in a training spec: {@code where}, {@code orderBy}, {@code limit}, {@code offset}; the
 *     columns read are the model's); absent: every row
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record EvaluateRequest(String source, String dataset, JsonNode query) {
    public EvaluateRequest {
        required("source", source);
        required("dataset", dataset);
        if (query != null && !query.isNull() && !query.isObject()) {
            throw new InvalidFieldException("query", "query must be a JSON object ({\"where\": ..., \"orderBy\": ..., \"limit\": ...})");
        }
    }

    private static void required(String field, String value) {
        if (value == null || value.isBlank()) {
            throw new InvalidFieldException(field, field + " is required: a non-empty string");
        }
        Json.checkLength(field, value, Json.MAX_NAME_LENGTH);
    }
}
