package org.cogwork.api.connector;

/** A dataset name the source does not have; the message lists what it has. The REST layer answers 404. */
public class UnknownDatasetException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public UnknownDatasetException(String message) {
        super(message);
    }
}
