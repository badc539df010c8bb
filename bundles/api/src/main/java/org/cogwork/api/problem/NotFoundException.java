package org.cogwork.api.problem;

/** The addressed thing does not exist: 404. */
public class NotFoundException extends ApiException {
    private static final long serialVersionUID = 1L;

    public NotFoundException(String error) {
        super(404, error, null, null);
    }
}
