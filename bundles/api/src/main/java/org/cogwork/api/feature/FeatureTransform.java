package org.cogwork.api.feature;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import org.cogwork.api.data.Dataset;
import org.cogwork.api.problem.InvalidFieldException;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A kind of feature transform (scaling, one-hot, TF-IDF, ...), published as a service with the property
 * {@link #TRANSFORM_NAME}, so a plugin bundle can add transforms at run time.
 *
 * <p><b>The injected target.</b> When the platform fits a pipeline for a training run
 * ({@link FeaturePipelineService#fit} with a target), it adds the parameter {@code target} (the target column's
 * name) to every step's parameters unless the step gives one itself. A transform must therefore accept a
 * {@code target} parameter in {@link #fit} (and in {@link #validate}, where a spec may give it), and should leave the
 * target column in its output unchanged: the platform refuses a step whose output lacks it. Supervised transforms
 * (target encoding, k-best) read it; others use it to leave the target out of "every column" defaults. At
 * prediction time rows may lack a target value ({@code null}), and the fitted transform must not need it. The
 * contract suite {@code org.cogwork.transform.contract.TransformContract} checks all of this.
 */
@ConsumerType
public interface FeatureTransform {
    String TRANSFORM_NAME = "cogwork.transform.name";

    String name();

    /**
     * Learns the transform's state from training data only.
     *
     * @param params transform parameters, e.g. {@code columns}, and {@code target} when the platform fits for a
     *     training run (injected, see the class description)
     * @throws IllegalArgumentException naming the parameter or column that is wrong
     */
    FittedTransform fit(Dataset training, Map<String, Object> params);

    /**
     * Checks parameters without data, so that a training spec with a wrong parameter is refused when it is
     * submitted rather than failing as a job: unknown names, wrong JSON types, values out of range. What only the
     * data can tell (a column that does not exist) is left to {@link #fit}. The default accepts everything.
     *
     * @param params the parameters as the spec gives them (JSON values: strings, numbers, booleans, lists, maps)
     * @throws InvalidFieldException whose field is the parameter's name (e.g. {@code maxFeatures})
     * @since 0.2
     */
    default void validate(Map<String, Object> params) {
    }

    /** Restores a fitted transform written by {@link FittedTransform#save}. */
    FittedTransform load(InputStream in) throws IOException;
}
