package org.cogwork.api.feature;

import java.io.IOException;
import java.io.OutputStream;
import org.cogwork.api.data.Dataset;
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

    /**
     * Transforms a whole dataset, lazily, in order. Transforms that need neighbouring rows (lags, rolling
     * windows) override this; the default applies {@link #apply(Row)} to each row.
     */
    default Dataset apply(Dataset in) {
        return in.map(outputSchema(), this::apply);
    }

    /**
     * Transforms the very rows the transform was fitted on. Differs from {@link #apply(Dataset)} only for
     * transforms that would otherwise leak the target into training features (target encoding computes
     * out-of-fold values here).
     */
    default Dataset applyToTraining(Dataset training) {
        return apply(training);
    }
}
