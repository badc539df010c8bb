package org.cogwork.mlflow.internal;

/** An error in MLflow's shape: {@code {"error_code": ..., "message": ...}} with its HTTP status. */
final class MlflowError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    final int status;
    final String code;

    MlflowError(int status, String code, String message) {
        super(message);
        this.status = status;
        this.code = code;
    }

    static MlflowError invalid(String message) {
        return new MlflowError(400, "INVALID_PARAMETER_VALUE", message);
    }

    static MlflowError missing(String message) {
        return new MlflowError(404, "RESOURCE_DOES_NOT_EXIST", message);
    }
}
