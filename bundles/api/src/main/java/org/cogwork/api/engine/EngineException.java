package org.cogwork.api.engine;

/** Training or loading failed for a reason the caller can read (bad data, cancelled, corrupt artifact). */
public class EngineException extends Exception {
    private static final long serialVersionUID = 1L;

    public EngineException(String message) {
        super(message);
    }

    public EngineException(String message, Throwable cause) {
        super(message, cause);
    }
}
