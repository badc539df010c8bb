package org.cogwork.api.connector;

/**
 * A {@link DataSink} write with {@link WriteOptions.Mode#CREATE} named a dataset that exists; nothing was
 * written. The message names the dataset. A REST layer answers 409.
 *
 * @since 0.2
 */
public class DatasetExistsException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    public DatasetExistsException(String message) {
        super(message);
    }
}
