package org.cogwork.api.feature;

import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import org.cogwork.api.data.Dataset;
import org.cogwork.api.data.Schema;

/**
 * A feature pipeline fitted on training data, saved with the model and applied identically at prediction
 * time, so training and serving never skew. Immutable and thread-safe.
 */
public interface FittedPipeline {
    /** The columns the pipeline reads (features and, when it was fitted with one, the target). */
    Schema inputSchema();

    /** The columns it produces: the engine's input. */
    Schema outputSchema();

    /**
     * Transforms rows for prediction or evaluation. Rows may lack the target column; every other input
     * column must be present.
     *
     * @throws IllegalArgumentException naming a missing column or a value of the wrong type
     */
    Dataset apply(Dataset rows);

    /** Transforms the rows the pipeline was fitted on (out-of-fold where a step needs it). */
    Dataset applyToTraining(Dataset training);

    /** The steps with their fitted parameters in a readable form, for provenance and people. */
    List<PipelineStep> steps();

    /** Writes the fitted pipeline so that {@link FeaturePipelineService#load} restores it. */
    void save(OutputStream out) throws IOException;
}
