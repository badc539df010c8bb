package org.cogwork.mlflow.internal;

import org.cogwork.api.problem.ApiException;

/** A refusal with the MLflow error code to answer it with (the REST layer keeps its status). */
final class MlflowError extends ApiException {
    private static final long serialVersionUID = 1L;

    final String code;

    MlflowError(int status, String code, String message) {
        super(status, message, null, null);
        this.code = code;
    }

    static MlflowError invalid(String message) {
        return new MlflowError(400, "INVALID_PARAMETER_VALUE", message);
    }

    static MlflowError missing(String message) {
        return new MlflowError(404, "RESOURCE_DOES_NOT_EXIST", message);
    }
}
