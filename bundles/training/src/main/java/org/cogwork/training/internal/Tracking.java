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
import org.cogwork.runtime.rest.Json;

/**
 * Records a training job as a tracked run: tags when it starts (job id, the spec for reproduction), then the
 * chosen parameters, the test metrics, the model artifact and the final status; and registers the model as a
 * new version when the spec asks for it. Secrets never reach here: the spec names a source, not its config.
 */
final class Tracking {
    static final String SPEC_TAG = "cogwork.training.spec";
    static final String JOB_TAG = "cogwork.training.job";

    private Tracking() {
    }

    static String start(ExperimentTracker tracker, Job job) {
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put(JOB_TAG, job.id);
        tags.put(SPEC_TAG, job.spec.json().toString());
        tags.put("mlflow.source.name", "cogwork-training");
        tags.put("mlflow.source.type", "JOB");
        String name = job.spec.name() != null ? job.spec.name() : "training-" + job.id.substring(0, 8);
        Run run = tracker.createRun(tracker.experimentId(job.spec.experiment()), name, null, tags);
        return run.id();
    }

    /** Logs the outcome and registers the model; returns what the job result shows about it. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> finish(ExperimentTracker tracker, ModelRegistry registry, Job job, String runId,
                                      Map<String, Object> result, Path artifact) throws IOException {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("source", job.spec.source());
        params.put("dataset", job.spec.dataset());
        params.put("target", String.valueOf(job.spec.target()));
        params.put("seed", Long.toString(job.spec.seed()));
        params.put("engine", String.valueOf(result.get("engine")));
        params.put("algorithm", String.valueOf(result.get("algorithm")));
        params.put("split", job.spec.split().method() + ":" + job.spec.split().testFraction());
        params.put("pipeline", abbreviate(Json.MAPPER.writeValueAsString(job.spec.pipeline())));
        ((Map<String, Object>) result.getOrDefault("hyperparameters", Map.of()))
                .forEach((k, v) -> params.put("hp." + k, String.valueOf(v)));
        List<MetricPoint> metrics = new ArrayList<>();
        java.time.Instant now = java.time.Instant.now();
        ((Map<String, Double>) result.getOrDefault("metrics", Map.of())).forEach((k, v) -> metrics.add(new MetricPoint(k, v, 0, now)));
        Object cv = result.get("crossValidation");
        if (cv instanceof Map<?, ?> c && c.get("mean") instanceof Map<?, ?> mean) {
            mean.forEach((k, v) -> metrics.add(new MetricPoint("cv_mean_" + k, ((Number) v).doubleValue(), 0, now)));
        }
        Map<String, String> tags = new LinkedHashMap<>();
        Map<String, Object> provenance = (Map<String, Object>) result.get("provenance");
        Object data = provenance == null ? null : provenance.get("data");
        if (data instanceof Map<?, ?> d && d.get("sha256") != null) {
            tags.put("cogwork.data.sha256", String.valueOf(d.get("sha256")));
        }
        tracker.logBatch(runId, metrics, params, tags);
        String uri;
        try (var in = Files.newInputStream(artifact)) {
            uri = tracker.logArtifact(runId, "model/model.zip", in);
        }
        tracker.endRun(runId, RunStatus.FINISHED);
        Map<String, Object> out = new LinkedHashMap<>();
        Run run = tracker.run(runId).orElseThrow();
        out.put("runId", runId);
        out.put("experimentId", run.experimentId());
        out.put("artifactUri", uri);
        if (registry != null && job.spec.register() != null) {
            ModelVersion v = registry.createVersion(job.spec.register().model(), runId, uri,
                    "trained by job " + job.id, provenance == null ? Map.of() : provenance, Map.of(JOB_TAG, job.id));
            out.put("model", v.modelName());
            out.put("version", v.version());
            if (job.spec.register().alias() != null) {
                registry.setAlias(v.modelName(), job.spec.register().alias(), v.version(), "training job " + job.id);
                out.put("alias", job.spec.register().alias());
            }
        }
        return out;
    }

    static void failed(ExperimentTracker tracker, String runId, JobStatus status, String error) {
        tracker.setTag(runId, "cogwork.training.status", status.name());
        if (error != null) {
            tracker.setTag(runId, "cogwork.training.error", abbreviate(error));
        }
        tracker.endRun(runId, status == JobStatus.FAILED ? RunStatus.FAILED : RunStatus.KILLED);
    }

    private static String abbreviate(String s) {
        return s.length() <= 5000 ? s : s.substring(0, 4997) + "...";
    }
}
