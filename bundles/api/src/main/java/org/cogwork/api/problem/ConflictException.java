package org.cogwork.api.problem;

/** The request clashes with the current state (a name taken, a version moved meanwhile): 409. */
public class ConflictException extends ApiException {
    private static final long serialVersionUID = 1L;

    public ConflictException(String field, String error) {
        super(409, error, field, null);
    }
}
