package org.cogwork.api.problem;

/**
 * A request that cannot be served: the HTTP status, a message for people, the request field at fault and more
 * detail. Thrown anywhere below a REST route; the REST layer turns it into the error body. Use the subtypes for
 * the common cases so callers and tests can tell them apart by type.
 */
public class ApiException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String field;
    private final String detail;
    private final long retryAfterSeconds;

    public ApiException(int status, String error, String field, String detail) {
        this(status, error, field, detail, 0);
    }

    /** @param retryAfterSeconds when to try again (the {@code Retry-After} header), 0 for no such advice */
    protected ApiException(int status, String error, String field, String detail, long retryAfterSeconds) {
        super(error);
        this.status = status;
        this.field = field;
        this.detail = detail;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /** 400 naming the field (a body property as a JSON path, a query parameter, a path segment). */
    public static InvalidFieldException badRequest(String field, String error) {
        return new InvalidFieldException(field, error);
    }

    public static NotFoundException notFound(String error) {
        return new NotFoundException(error);
    }

    public static ConflictException conflict(String field, String error) {
        return new ConflictException(field, error);
    }

    public static ForbiddenException forbidden(String error) {
        return new ForbiddenException(error, null);
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

    /**
     * Seconds the client should wait before it tries again (the {@code Retry-After} header); 0 when the error gives
     * no such advice.
     *
     * @since 0.5
     */
    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
