package org.cogwork.api.problem;

/** Too many requests (a queue full, repeated failed sign-ins): 429 with the seconds to wait. */
public class TooManyRequestsException extends ApiException {
    private static final long serialVersionUID = 1L;

    public TooManyRequestsException(String error, long retryAfterSeconds) {
        super(429, error, null, null, Math.max(1, retryAfterSeconds));
    }
}
