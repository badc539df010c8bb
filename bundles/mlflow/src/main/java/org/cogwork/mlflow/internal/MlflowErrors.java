package org.cogwork.mlflow.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.cogwork.api.problem.ApiException;
import org.cogwork.runtime.rest.ErrorBody;

/**
 * MLflow's error shape, {@code {"error_code": ..., "message": ...}}, for every refusal of the MLflow routes:
 * MLflow's clients read the code (RESOURCE_DOES_NOT_EXIST, RESOURCE_ALREADY_EXISTS, ...) to decide what happened.
 */
final class MlflowErrors {
    private MlflowErrors() {
    }

    static ObjectNode body(ApiException e) {
        String message = e.detail() == null ? e.getMessage() : e.getMessage() + " (" + e.detail() + ")";
        return Shapes.JSON.createObjectNode().put("error_code", code(e)).put("message", ErrorBody.safe(message));
    }

    /** The MLflow code for a refusal: its own when an MLflow route chose one, else by status as MLflow's server does. */
    static String code(ApiException e) {
        if (e instanceof MlflowError m) {
            return m.code;
        }
        String message = e.getMessage() == null ? "" : e.getMessage();
        return switch (e.status()) {
            // the body is not a JSON object (the reader names "body"); any other 400 is a bad value
            case 400 -> "body".equals(e.field()) ? "MALFORMED_REQUEST"
                    : message.contains("already exists") || message.contains("taken") ? "RESOURCE_ALREADY_EXISTS" : "INVALID_PARAMETER_VALUE";
            case 401 -> "UNAUTHENTICATED";
            case 403 -> "PERMISSION_DENIED";
            case 404 -> "RESOURCE_DOES_NOT_EXIST";
            case 405 -> "ENDPOINT_NOT_FOUND";
            case 409 -> "RESOURCE_ALREADY_EXISTS";
            case 429 -> "REQUEST_LIMIT_EXCEEDED";
            case 503 -> "TEMPORARILY_UNAVAILABLE";
            default -> e.status() < 500 ? "BAD_REQUEST" : "INTERNAL_ERROR";
        };
    }
}
