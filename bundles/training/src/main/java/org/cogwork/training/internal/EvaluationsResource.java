package org.cogwork.training.internal;

import java.util.Map;
import org.cogwork.api.problem.InvalidFieldException;
import org.cogwork.api.security.Role;
import org.cogwork.runtime.rest.Call;
import org.cogwork.runtime.rest.Json;
import org.cogwork.runtime.rest.RestResource;
import org.cogwork.runtime.rest.Routes;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * {@code POST /api/models/{name}/versions/{version}/evaluate}, for data scientists: scores a registered version on a
 * dataset of any source and answers the metrics, confusion matrix and worst rows (as a training job reports on its
 * test part), tracked as a run whose user is the caller. Declared here, below the registry's {@code /api/models}
 * routes, because the scoring and metrics are training's; the route comes and goes with this bundle.
 *
 * <pre>{@code POST /api/models/credit-risk/versions/3/evaluate {"source": "data", "dataset": "credit_2024.csv"}
 * → {"model": "credit-risk", "version": 3, "rows": {"evaluated": 4454, "withoutTarget": 0}, "metrics": {"accuracy": ...},
 *    "confusionMatrix": {...}, "worstPredictions": [...], "tracking": {"runId": ..., "experimentId": ...}}}</pre>
 */
@Component(service = RestResource.class)
public class EvaluationsResource implements RestResource {
    private final EvaluationService evaluations;

    @Activate
    public EvaluationsResource(@Reference EvaluationService evaluations) {
        this.evaluations = evaluations;
    }

    @Override
    public void routes(Routes r) {
        r.tag("models");
        r.post("/api/models/{name}/versions/{version}/evaluate").roles(Role.DATA_SCIENTIST).body(EvaluateRequest.class).returns(Map.class)
                .summary("scores a registered version on a labelled dataset (source, dataset, query): metrics, confusion matrix "
                        + "and worst rows, recorded as a run in the model's experiment")
                .handle(call -> evaluations.evaluate(call.path("name"), version(call), (EvaluateRequest) call.body(),
                        call.principal().name()));
    }

    private static int version(Call<?> call) {
        String v = call.path("version");
        try {
            int n = Integer.parseInt(v);
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new InvalidFieldException("version", "version must be a positive integer, was " + Json.quote(v));
    }
}
