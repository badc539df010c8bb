package org.cogwork.training.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.cogwork.api.registry.ModelRegistry;
import org.cogwork.api.registry.ModelVersion;
import org.cogwork.api.tracking.ExperimentTracker;
import org.cogwork.api.tracking.MetricPoint;
import org.cogwork.api.tracking.Run;
import org.cogwork.api.tracking.RunStatus;
import org.cogwork.api.training.JobStatus;
import org.cogwork.api.training.TrainingResult;
import org.cogwork.runtime.rest.Json;

/**
 * Records a training job as a tracked run: tags when it starts (job id, the spec for reproduction), then the
 * chosen parameters (with how the configuration was selected, the split or fixed test set, and the row counts
 * {@code rows.train} and {@code rows.test}), the test metrics, the model artifact and the final status; and registers
 * the model as a new version when the spec asks for it. Secrets never reach here: the spec names a source, not its config.
 */
final class Tracking {
    static final String SPEC_TAG = "cogwork.training.spec";
    static final String JOB_TAG = "cogwork.training.job";
    /** The run's user, as MLflow clients read it: the principal who submitted the job. */
    static final String USER_TAG = "mlflow.user";

    private Tracking() {
    }

    static Run start(ExperimentTracker tracker, Job job) {
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put(JOB_TAG, job.id);
        tags.put(SPEC_TAG, job.spec.json().toString());
        tags.put("mlflow.source.name", "cogwork-training");
        tags.put("mlflow.source.type", "JOB");
        if (job.user != null) {
            tags.put(USER_TAG, job.user);
        }
        String name = job.spec.name() != null ? job.spec.name() : "training-" + job.id.substring(0, 8);
        return tracker.createRun(tracker.experimentId(job.spec.experiment()), name, null, tags);
    }

    /** Logs the outcome and registers the model; returns what the job result shows about it. */
    static TrainingResult.Tracking finish(ExperimentTracker tracker, ModelRegistry registry, Job job, String runId,
                                          TrainingResult result, Path artifact) throws IOException {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("source", job.spec.source());
        params.put("dataset", job.spec.dataset());
        params.put("target", String.valueOf(job.spec.target()));
        params.put("seed", Long.toString(job.spec.seed()));
        params.put("engine", result.engine());
        params.put("algorithm", result.algorithm());
        Spec.TestSet test = job.spec.test();
        params.put("split", test != null ? "test-set" : job.spec.split().method() + ":" + job.spec.split().testFraction());
        if (test != null) {
            params.put("test.source", test.source());
            params.put("test.dataset", test.dataset());
            params.put("test.query", test.queryJson() == null ? "{}" : abbreviate(test.queryJson().toString()));
        }
        params.put("rows.train", Long.toString(result.rows().train()));
        params.put("rows.test", Long.toString(result.rows().test()));
        TrainingResult.Selection selection = result.selection();
        String how = selection.method();
        params.put("selection", "cross-validation".equals(how) ? how + ":" + selection.folds()
                : "validation-split".equals(how) ? how + ":" + selection.validationFraction() : how);
        params.put("pipeline", abbreviate(Json.MAPPER.writeValueAsString(job.spec.pipeline())));
        result.hyperparameters().forEach((k, v) -> params.put("hp." + k, String.valueOf(v)));
        List<MetricPoint> metrics = new ArrayList<>();
        java.time.Instant now = java.time.Instant.now();
        if (result.metrics() != null) {
            result.metrics().forEach((k, v) -> metrics.add(new MetricPoint(k, v, 0, now)));
        }
        if (result.crossValidation() != null) {
            result.crossValidation().mean().forEach((k, v) -> metrics.add(new MetricPoint("cv_mean_" + k, v, 0, now)));
        }
        Map<String, String> tags = new LinkedHashMap<>();
        Map<String, Object> provenance = result.provenance();
        Object data = provenance == null ? null : provenance.get("data");
        if (data instanceof Map<?, ?> d && d.get("sha256") != null) {
            tags.put("cogwork.data.sha256", String.valueOf(d.get("sha256")));
            if (d.get("test") instanceof Map<?, ?> t && t.get("sha256") != null) {
                tags.put("cogwork.test.sha256", String.valueOf(t.get("sha256")));
            }
        }
        tracker.logBatch(runId, metrics, params, tags);
        String uri;
        try (var in = Files.newInputStream(artifact)) {
            uri = tracker.logArtifact(runId, "model/model.zip", in);
        }
        tracker.endRun(runId, RunStatus.FINISHED);
        if (registry != null && job.spec.register() != null) {
            ModelVersion v = registry.createVersion(job.spec.register().model(), runId, uri,
                    "trained by job " + job.id, provenance == null ? Map.of() : provenance, Map.of(JOB_TAG, job.id), actor(job));
            String alias = job.spec.register().alias();
            if (alias != null) {
                registry.setAlias(v.modelName(), alias, v.version(), actor(job));
            }
            return new TrainingResult.Tracking(runId, job.experimentId, uri, v.modelName(), v.version(), alias);
        }
        return new TrainingResult.Tracking(runId, job.experimentId, uri, null, null, null);
    }

    static void failed(ExperimentTracker tracker, String runId, JobStatus status, String error) {
        tracker.setTag(runId, "cogwork.training.status", status.name());
        if (error != null) {
            tracker.setTag(runId, "cogwork.training.error", abbreviate(error));
        }
        tracker.endRun(runId, status == JobStatus.FAILED || status == JobStatus.INTERRUPTED ? RunStatus.FAILED : RunStatus.KILLED);
    }

    private static String abbreviate(String s) {
        return s.length() <= 5000 ? s : s.substring(0, 4997) + "...";
    }

    /** Who registered the version: the user who submitted the job (the job id when submitted from inside). */
    private static String actor(Job job) {
        return job.user != null ? job.user : "training job " + job.id;
    }
}
