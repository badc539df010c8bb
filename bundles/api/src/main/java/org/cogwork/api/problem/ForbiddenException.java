package org.cogwork.api.problem;

/** The caller is known but may not do this (a role missing, a protected bundle): 403. */
public class ForbiddenException extends ApiException {
    private static final long serialVersionUID = 1L;

    public ForbiddenException(String error, String detail) {
        super(403, error, null, detail);
    }
}
