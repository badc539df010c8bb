package org.cogwork.api.engine;

import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import org.cogwork.api.data.Row;

/**
 * A trained model held by its engine. {@link #predict} is thread-safe; close the model when done to release
 * native memory. A model object must not be kept across a refresh of its engine bundle: reload it from
 * its saved bytes with {@link Engine#load}.
 */
public interface Model extends AutoCloseable {
    ModelDescriptor descriptor();

    /**
     * Predicts one output per row, in order.
     *
     * @param rows rows whose schema contains at least {@link ModelDescriptor#inputSchema()}'s columns
     * @throws IllegalArgumentException naming the column when a row lacks a feature or has a wrong type
     */
    List<Prediction> predict(List<Row> rows);

    /** Writes the model so that {@link Engine#load} of the same engine restores it. Does not close {@code out}. */
    void save(OutputStream out) throws IOException;

    @Override
    void close();
}
