package org.cogwork.api.feature;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import org.cogwork.api.data.Dataset;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A kind of feature transform (scaling, one-hot, TF-IDF, ...), published as a service with the property
 * {@link #TRANSFORM_NAME}, so a plugin bundle can add transforms at run time.
 */
@ConsumerType
public interface FeatureTransform {
    String TRANSFORM_NAME = "cogwork.transform.name";

    String name();

    /**
     * Learns the transform's state from training data only.
     *
     * @param params transform parameters, e.g. {@code columns}
     * @throws IllegalArgumentException naming the parameter or column that is wrong
     */
    FittedTransform fit(Dataset training, Map<String, Object> params);

    /** Restores a fitted transform written by {@link FittedTransform#save}. */
    FittedTransform load(InputStream in) throws IOException;
}
