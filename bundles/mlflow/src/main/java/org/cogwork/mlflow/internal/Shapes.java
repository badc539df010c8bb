package org.cogwork.mlflow.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Map;
import org.cogwork.api.registry.ModelVersion;
import org.cogwork.api.registry.RegisteredModel;
import org.cogwork.api.tracking.Experiment;
import org.cogwork.api.tracking.MetricPoint;
import org.cogwork.api.tracking.Run;

/** Cogwork's records in MLflow's JSON shapes (protobuf field names, times in epoch milliseconds). */
final class Shapes {
    static final ObjectMapper JSON = new ObjectMapper();

    private Shapes() {
    }

    static long millis(Instant t) {
        return t == null ? 0 : t.toEpochMilli();
    }

    static ArrayNode tags(Map<String, String> tags) {
        ArrayNode a = JSON.createArrayNode();
        new java.util.TreeMap<>(tags).forEach((k, v) -> a.addObject().put("key", k).put("value", v));
        return a;
    }

    static ObjectNode experiment(Experiment e) {
        ObjectNode n = JSON.createObjectNode();
        n.put("experiment_id", e.id());
        n.put("name", e.name());
        n.put("artifact_location", Artifacts.toMlflow(e.artifactLocation()));
        n.put("lifecycle_stage", e.lifecycleStage());
        n.put("creation_time", millis(e.created()));
        n.put("last_update_time", millis(e.updated()));
        n.set("tags", tags(e.tags()));
        return n;
    }

    static ObjectNode runInfo(Run r) {
        ObjectNode i = JSON.createObjectNode();
        i.put("run_id", r.id());
        i.put("run_uuid", r.id());
        i.put("run_name", r.name());
        i.put("experiment_id", r.experimentId());
        i.put("user_id", r.tags().getOrDefault("mlflow.user", ""));
        i.put("status", r.status().name());
        i.put("start_time", millis(r.start()));
        if (r.end() != null) {
            i.put("end_time", millis(r.end()));
        }
        i.put("artifact_uri", Artifacts.toMlflow(r.artifactUri()));
        i.put("lifecycle_stage", r.lifecycleStage());
        return i;
    }

    static ObjectNode metric(MetricPoint m) {
        ObjectNode n = JSON.createObjectNode();
        n.put("key", m.key());
        if (Double.isNaN(m.value()) || Double.isInfinite(m.value())) {
            n.put("value", Double.toString(m.value()));
        } else {
            n.put("value", m.value());
        }
        n.put("timestamp", millis(m.timestamp()));
        n.put("step", m.step());
        return n;
    }

    static ObjectNode run(Run r) {
        ObjectNode n = JSON.createObjectNode();
        n.set("info", runInfo(r));
        ObjectNode data = n.putObject("data");
        ArrayNode metrics = data.putArray("metrics");
        new java.util.TreeMap<>(r.metrics()).values().forEach(m -> metrics.add(metric(m)));
        ArrayNode params = data.putArray("params");
        new java.util.TreeMap<>(r.params()).forEach((k, v) -> params.addObject().put("key", k).put("value", v));
        data.set("tags", tags(r.tags()));
        n.putObject("inputs");
        return n;
    }

    static ObjectNode version(ModelVersion v) {
        ObjectNode n = JSON.createObjectNode();
        n.put("name", v.modelName());
        n.put("version", Integer.toString(v.version()));
        n.put("creation_timestamp", millis(v.created()));
        n.put("last_updated_timestamp", millis(v.updated()));
        n.put("current_stage", "None");
        n.put("description", v.description() == null ? "" : v.description());
        n.put("source", v.source());
        if (v.runId() != null) {
            n.put("run_id", v.runId());
        }
        n.put("status", v.status() == null ? "READY" : v.status());
        n.set("tags", tags(v.tags()));
        ArrayNode aliases = n.putArray("aliases");
        v.aliases().stream().sorted().forEach(aliases::add);
        return n;
    }

    static ObjectNode model(RegisteredModel m, ModelVersion latest) {
        ObjectNode n = JSON.createObjectNode();
        n.put("name", m.name());
        n.put("creation_timestamp", millis(m.created()));
        n.put("last_updated_timestamp", millis(m.updated()));
        n.put("description", m.description() == null ? "" : m.description());
        n.set("tags", tags(m.tags()));
        ArrayNode aliases = n.putArray("aliases");
        new java.util.TreeMap<>(m.aliases()).forEach((a, v) -> aliases.addObject().put("alias", a).put("version", Integer.toString(v)));
        ArrayNode latestVersions = n.putArray("latest_versions");
        if (latest != null) {
            latestVersions.add(version(latest));
        }
        return n;
    }
}
