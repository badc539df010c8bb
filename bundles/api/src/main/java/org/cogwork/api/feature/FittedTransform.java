package org.cogwork.api.feature;

import java.io.IOException;
import java.io.OutputStream;
import org.cogwork.api.data.Row;
import org.cogwork.api.data.Schema;

/**
 * A transform fitted on training data, applied identically at training and prediction time. Immutable and
 * thread-safe.
 */
public interface FittedTransform {
    /** The schema of rows produced by {@link #apply}. */
    Schema outputSchema();

    /** Transforms one row of the input schema the transform was fitted on. */
    Row apply(Row row);

    /** Writes the fitted state so that {@link FeatureTransform#load} restores it. Does not close {@code out}. */
    void save(OutputStream out) throws IOException;
}
