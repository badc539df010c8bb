package org.cogwork.api.problem;

/**
 * Not available for a moment (a component restarting after its configuration changed, a store being opened): 503 with
 * the seconds to wait, so a client that retries on 503 comes back instead of taking the answer for a final one.
 *
 * @since 0.5
 */
public class ServiceUnavailableException extends ApiException {
    private static final long serialVersionUID = 1L;

    public ServiceUnavailableException(String error, long retryAfterSeconds) {
        super(503, error, null, null, Math.max(1, retryAfterSeconds));
    }
}
