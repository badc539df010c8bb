package org.cogwork.api.feature;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import org.cogwork.api.data.Dataset;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Fits and restores feature pipelines from the {@link FeatureTransform} services in the registry (so a
 * plugin bundle's transform is usable in a pipeline at once). Implemented by the platform. Thread-safe.
 */
@ProviderType
public interface FeaturePipelineService {
    /**
     * Fits the steps in order, each on the output of the previous ones over the training rows only.
     *
     * @param target the target column (read by supervised steps, never transformed), or {@code null}
     * @throws IllegalArgumentException naming the step and parameter at fault, or an unknown transform
     */
    FittedPipeline fit(Dataset training, String target, List<PipelineStep> steps);

    /**
     * Fits the steps as {@link #fit} does and returns the training rows transformed on the way, as scikit-learn's
     * {@code fit_transform}: the rows {@code fit(training, target, steps).applyToTraining(training)} gives, with
     * each step applied to them once (fitting a step needs the previous steps' output anyway).
     *
     * @throws IllegalArgumentException as {@link #fit}
     * @since 0.3
     */
    default Transformed fitTransform(Dataset training, String target, List<PipelineStep> steps) {
        FittedPipeline pipeline = fit(training, target, steps);
        return new Transformed(pipeline, Dataset.of(pipeline.outputSchema(), pipeline.applyToTraining(training).toList()));
    }

    /**
     * A pipeline fitted on training rows, and those rows as it transformed them (held in memory).
     *
     * @since 0.3
     */
    record Transformed(FittedPipeline pipeline, Dataset training) {
    }

    /**
     * Checks steps without data, as each transform's {@link FeatureTransform#validate} can.
     *
     * @throws org.cogwork.api.problem.InvalidFieldException naming {@code pipeline[i].transform} for an unknown
     *     transform or {@code pipeline[i].params.<name>} for a wrong parameter
     * @since 0.2
     */
    void validate(List<PipelineStep> steps);

    /** Restores a pipeline written by {@link FittedPipeline#save}. */
    FittedPipeline load(InputStream in) throws IOException;

    /** Names of the transforms available now. */
    List<String> transforms();
}
