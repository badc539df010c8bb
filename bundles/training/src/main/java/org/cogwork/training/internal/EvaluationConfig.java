package org.cogwork.training.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration of {@code POST /api/models/{name}/versions/{version}/evaluate} (PID {@value #PID}). */
@ObjectClassDefinition(id = EvaluationConfig.PID, name = "Cogwork evaluation",
        description = "Scoring registered model versions on a dataset.")
public @interface EvaluationConfig {
    String PID = "org.cogwork.training.evaluation";

    @AttributeDefinition(name = "Evaluations at once", description = "Evaluations that may run at the same time (each on its "
            + "request's thread, streaming the dataset); beyond that the endpoint answers 429.")
    int concurrent() default 2;
}
