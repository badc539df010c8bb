package org.cogwork.api.connector;

/** A data source could not be reached or read; the message says what to check (host, bucket, credentials). */
public class DataSourceException extends Exception {
    private static final long serialVersionUID = 1L;

    public DataSourceException(String message) {
        super(message);
    }

    public DataSourceException(String message, Throwable cause) {
        super(message, cause);
    }
}
