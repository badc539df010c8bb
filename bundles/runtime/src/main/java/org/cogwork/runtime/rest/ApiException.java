package org.cogwork.runtime.rest;

/**
 * A request that cannot be served, with the HTTP status and the field at fault. Thrown by resources and
 * turned into the JSON error shape by {@link JsonServlet}.
 */
public class ApiException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String field;
    private final String detail;

    public ApiException(int status, String error, String field, String detail) {
        super(error);
        this.status = status;
        this.field = field;
        this.detail = detail;
    }

    public static ApiException badRequest(String field, String error) {
        return new ApiException(400, error, field, null);
    }

    public static ApiException notFound(String error) {
        return new ApiException(404, error, null, null);
    }

    public int status() {
        return status;
    }

    /** The request field (body property, query parameter, path segment) at fault, or {@code null}. */
    public String field() {
        return field;
    }

    /** More detail for people, e.g. a resolver message, or {@code null}. */
    public String detail() {
        return detail;
    }
}
