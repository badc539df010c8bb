package org.cogwork.features.internal;

import java.util.List;
import org.cogwork.api.feature.FeatureTransform;

/** The built-in transforms, for use outside OSGi (tests, tools); inside OSGi each is its own DS component. */
public final class BuiltIn {
    private BuiltIn() {
    }

    public static List<FeatureTransform> transforms() {
        return List.of(new Scale.Standardize(), new Scale.MinMax(), new Scale.Robust(), new Impute(), new Encode.OneHot(),
                new Encode.Frequency(), new Encode.Ordinal(), new TargetEncode(), new TfIdf(), new Tokens(), new Concat(), new Assemble(), new Construct.Expressions(),
                new Construct.Polynomial(), new Select.Variance(), new Select.Correlation(), new Select.KBest(), new Calendar(),
                new Temporal.Lag(), new Temporal.Rolling());
    }

    /** A pipeline service with every built-in transform. */
    public static PipelineService pipelineService() {
        PipelineService s = new PipelineService();
        transforms().forEach(s::addTransform);
        return s;
    }
}
