package org.cogwork.serving.internal;

import java.util.List;
import java.util.NoSuchElementException;
import org.cogwork.api.feedback.Feedback;
import org.cogwork.api.feedback.FeedbackService;
import org.cogwork.api.problem.NotFoundException;
import org.cogwork.api.security.Role;
import org.cogwork.api.serving.PredictionLog;
import org.cogwork.api.serving.PredictionRecord;
import org.cogwork.runtime.rest.RestResource;
import org.cogwork.runtime.rest.Routes;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * {@code /api/predictions/{id}} (the logged prediction) and {@code /api/predictions/{id}/feedback}: integrators
 * send feedback on a prediction they received, data scientists read the log and the feedback (what the
 * active-learning loop feeds on). The feedback's author is the caller, never a field of the body.
 */
@Component(name = "org.cogwork.serving.feedback", service = RestResource.class)
public class PredictionsResource implements RestResource {
    private final FeedbackService feedback;
    private static final long AWAIT_MS = 5_000;
    private final PredictionLog log;
    /**
     * A prediction acknowledged a moment ago may still be on its way to the store: reads wait for it. Bound
     * dynamically, as the journal restarts with serving's configuration: these routes answer 503 meanwhile.
     */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    volatile PredictionJournal journal;

    @Activate
    public PredictionsResource(@Reference FeedbackService feedback, @Reference PredictionLog log) {
        this.feedback = feedback;
        this.log = log;
    }

    private PredictionJournal journal() {
        PredictionJournal j = journal;
        if (j == null) {
            throw Predictor.restarting();
        }
        return j;
    }

    /**
     * Feedback on one prediction; every part is optional.
     *
     * @param score 1 up, -1 down, or your own scale
     * @param correctedLabel what the answer should have been
     * @param comment free text
     */
    public record NewFeedback(Double score, String correctedLabel, String comment) {
    }

    @Override
    public void routes(Routes r) {
        r.tag("predictions");
        r.get("/api/predictions/{id}").roles(Role.DATA_SCIENTIST).returns(PredictionRecord.class)
                .summary("one logged prediction: its input, output, model version and time")
                .handle(call -> prediction(call.path("id")));
        r.get("/api/predictions/{id}/feedback").roles(Role.DATA_SCIENTIST).returns(List.class)
                .summary("the feedback sent on a prediction")
                .handle(call -> {
                    prediction(call.path("id"));
                    return feedback.forPrediction(call.path("id"));
                });
        r.post("/api/predictions/{id}/feedback").roles(Role.INTEGRATOR, Role.DATA_SCIENTIST).body(NewFeedback.class)
                .returns(Feedback.class).status(201)
                .summary("sends feedback on a prediction; the caller is recorded as its author")
                .handle(call -> {
                    NewFeedback f = (NewFeedback) call.body();
                    journal().awaitStored(call.path("id"), AWAIT_MS);
                    try {
                        return feedback.submit(call.path("id"), f.score(), f.correctedLabel(), f.comment(), call.principal().name());
                    } catch (NoSuchElementException e) {
                        throw new NotFoundException(e.getMessage());
                    }
                });
    }

    private PredictionRecord prediction(String id) {
        journal().awaitStored(id, AWAIT_MS);
        return log.find(id).orElseThrow(() -> new NotFoundException("no prediction '" + id + "'"));
    }
}
