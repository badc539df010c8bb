package org.cogwork.registry.internal;

import java.util.Map;
import org.cogwork.api.problem.NotFoundException;
import org.cogwork.api.security.Role;
import org.cogwork.api.tracking.Experiment;
import org.cogwork.api.tracking.ExperimentTracker;
import org.cogwork.api.tracking.Page;
import org.cogwork.runtime.rest.RestResource;
import org.cogwork.runtime.rest.Routes;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * {@code /api/experiments}: Cogwork's own view of the tracker's experiments (the MLflow bundle serves the same
 * data in MLflow's shapes). Deletes are soft; a deleted experiment can be restored.
 */
@Component(service = RestResource.class)
public class ExperimentsResource implements RestResource {
    private final ExperimentTracker tracker;

    /** POST /api/experiments. */
    record CreateExperiment(String name, Map<String, String> tags) {
    }

    @Activate
    public ExperimentsResource(@Reference ExperimentTracker tracker) {
        this.tracker = tracker;
    }

    @Override
    public void routes(Routes r) {
        r.get("/api/experiments").roles(Role.DATA_SCIENTIST).returns(Page.class)
                .query("filter", "name = 'x', name LIKE 'x%', name ILIKE '%x%' or a plain text")
                .query("deleted", "true to include deleted experiments")
                .query("max", "page size, 1..50000 (default 1000)")
                .query("pageToken", "the nextPageToken of the previous page")
                .summary("lists experiments, a page at a time")
                .handle(call -> tracker.experiments(call.query("filter"), call.queryBoolean("deleted", false),
                        call.queryInt("max", 1000, 1, 50_000), call.query("pageToken")));
        r.post("/api/experiments").roles(Role.DATA_SCIENTIST).body(CreateExperiment.class).returns(Experiment.class).status(201)
                .summary("creates an experiment")
                .<CreateExperiment>handle(call -> tracker.createExperiment(call.body().name(), call.body().tags()));
        r.get("/api/experiments/{id}").roles(Role.DATA_SCIENTIST).returns(Experiment.class)
                .summary("one experiment")
                .handle(call -> find(call.path("id")));
        r.delete("/api/experiments/{id}").roles(Role.DATA_SCIENTIST).returns(Experiment.class)
                .summary("deletes an experiment (soft: it can be restored)")
                .handle(call -> {
                    tracker.deleteExperiment(call.path("id"));
                    return find(call.path("id"));
                });
        r.post("/api/experiments/{id}/restore").roles(Role.DATA_SCIENTIST).returns(Experiment.class)
                .summary("restores a deleted experiment")
                .handle(call -> {
                    tracker.restoreExperiment(call.path("id"));
                    return find(call.path("id"));
                });
    }

    private Experiment find(String id) {
        return tracker.experiment(id).orElseThrow(() -> new NotFoundException("no experiment with id '" + id + "'"));
    }
}
