package org.cogwork.api.problem;

/**
 * A value the client sent is wrong: 400 naming it (a JSON path such as {@code split.testFraction}, a query
 * parameter, a path segment).
 */
public class InvalidFieldException extends ApiException {
    private static final long serialVersionUID = 1L;

    public InvalidFieldException(String field, String error) {
        super(400, error, field, null);
    }
}
