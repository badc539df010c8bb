package org.cogwork.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mlflow.api.proto.ModelRegistry.ModelVersion;
import org.mlflow.api.proto.ModelRegistry.RegisteredModel;
import org.mlflow.api.proto.Service.Experiment;
import org.mlflow.api.proto.Service.Metric;
import org.mlflow.api.proto.Service.Param;
import org.mlflow.api.proto.Service.Run;
import org.mlflow.api.proto.Service.RunInfo;
import org.mlflow.api.proto.Service.RunStatus;
import org.mlflow.api.proto.Service.RunTag;
import org.mlflow.tracking.MlflowClient;
import org.mlflow.tracking.MlflowHttpException;

/** The official MLflow Java client (org.mlflow:mlflow-client) against a running Cogwork. */
class MlflowClientTest {
    @TempDir
    static Path tmp;
    static Cogwork cogwork;
    static MlflowClient client;

    @BeforeAll
    static void boot() throws Exception {
        cogwork = Cogwork.fresh(tmp).start();
        client = new MlflowClient("http://127.0.0.1:" + cogwork.port);
    }

    @AfterAll
    static void shutdown() throws Exception {
        if (client != null) {
            client.close();
        }
        if (cogwork != null) {
            cogwork.stop();
        }
    }

    @Test
    void experimentsRunsParamsMetricsAndSearch() {
        String expId = client.createExperiment("mlflow-client-itest");
        Experiment e = client.getExperiment(expId);
        assertEquals("mlflow-client-itest", e.getName());
        assertEquals(expId, client.getExperimentByName("mlflow-client-itest").orElseThrow().getExperimentId());
        assertTrue(client.getExperimentByName("no-such-experiment").isEmpty());
        assertTrue(client.searchExperiments().getItems().stream().anyMatch(x -> x.getExperimentId().equals(expId)));

        RunInfo info = client.createRun(expId);
        String runId = info.getRunId();
        assertEquals(32, runId.length());
        client.logParam(runId, "alpha", "0.5");
        long t0 = System.currentTimeMillis();
        client.logMetric(runId, "loss", 0.9, t0, 0);
        client.logMetric(runId, "loss", 0.6, t0 + 1, 1);
        client.logBatch(runId,
                List.of(Metric.newBuilder().setKey("loss").setValue(0.3).setTimestamp(t0 + 2).setStep(2).build(),
                        Metric.newBuilder().setKey("accuracy").setValue(0.91).setTimestamp(t0 + 2).setStep(2).build()),
                List.of(Param.newBuilder().setKey("epochs").setValue("10").build()),
                List.of(RunTag.newBuilder().setKey("team").setValue("risk").build()));
        client.setTag(runId, "stage", "test");
        client.setTerminated(runId, RunStatus.FINISHED);

        Run run = client.getRun(runId);
        assertEquals(RunStatus.FINISHED, run.getInfo().getStatus());
        assertEquals(expId, run.getInfo().getExperimentId());
        assertTrue(run.getData().getParamsList().contains(Param.newBuilder().setKey("alpha").setValue("0.5").build()));
        assertTrue(run.getData().getTagsList().stream().anyMatch(t -> t.getKey().equals("team") && t.getValue().equals("risk")));
        Metric latest = run.getData().getMetricsList().stream().filter(m -> m.getKey().equals("loss")).findFirst().orElseThrow();
        assertEquals(0.3, latest.getValue(), 1e-12);
        assertEquals(2, latest.getStep());
        List<Metric> history = client.getMetricHistory(runId, "loss");
        assertEquals(List.of(0.9, 0.6, 0.3), history.stream().map(Metric::getValue).toList());

        RunInfo other = client.createRun(expId);
        client.logMetric(other.getRunId(), "accuracy", 0.55);
        List<RunInfo> good = client.searchRuns(List.of(expId), "metrics.accuracy > 0.9");
        assertEquals(List.of(runId), good.stream().map(RunInfo::getRunId).toList());
        assertEquals(List.of(runId), client.searchRuns(List.of(expId), "params.alpha = '0.5'").stream().map(RunInfo::getRunId).toList());

        MlflowHttpException conflict = assertThrows(MlflowHttpException.class, () -> client.logParam(runId, "alpha", "0.7"));
        assertEquals(400, conflict.getStatusCode());
        MlflowHttpException missing = assertThrows(MlflowHttpException.class, () -> client.getRun("0123456789abcdef0123456789abcdef"));
        assertEquals(404, missing.getStatusCode());
    }

    @Test
    void registeredModelsVersionsAndAliases() {
        String expId = client.createExperiment("mlflow-client-registry");
        String runId = client.createRun(expId).getRunId();
        client.sendPost("registered-models/create", "{\"name\": \"credit-risk-mlflow\", \"description\": \"from the Java client\"}");
        client.sendPost("model-versions/create", "{\"name\": \"credit-risk-mlflow\", \"source\": \"runs:/" + runId
                + "/model\", \"run_id\": \"" + runId + "\"}");
        client.sendPost("model-versions/create", "{\"name\": \"credit-risk-mlflow\", \"source\": \"runs:/" + runId
                + "/model2\", \"run_id\": \"" + runId + "\"}");
        ModelVersion v1 = client.getModelVersion("credit-risk-mlflow", "1");
        assertEquals(runId, v1.getRunId());
        assertEquals("runs:/" + runId + "/model", client.getModelVersionDownloadUri("credit-risk-mlflow", "1"));
        client.sendPost("registered-models/alias", "{\"name\": \"credit-risk-mlflow\", \"alias\": \"production\", \"version\": \"1\"}");
        RegisteredModel m = client.getRegisteredModel("credit-risk-mlflow");
        assertEquals("from the Java client", m.getDescription());
        assertEquals(Map.of("production", "1"), Map.of(m.getAliases(0).getAlias(), m.getAliases(0).getVersion()));
        client.sendPost("registered-models/alias", "{\"name\": \"credit-risk-mlflow\", \"alias\": \"production\", \"version\": \"2\"}");
        assertEquals("2", client.getRegisteredModel("credit-risk-mlflow").getAliases(0).getVersion(), "the alias moved");
        assertEquals(List.of("2"), client.getLatestVersions("credit-risk-mlflow").stream().map(ModelVersion::getVersion).toList());
        assertEquals(2, client.searchModelVersions("name='credit-risk-mlflow'").getItems().size());
        String search = client.sendGet("registered-models/search?filter=name%20%3D%20'credit-risk-mlflow'");
        assertTrue(search.contains("\"name\":\"credit-risk-mlflow\""), search);
        String byAlias = client.sendGet("registered-models/alias?name=credit-risk-mlflow&alias=production");
        assertTrue(byAlias.contains("\"version\":\"2\""), byAlias);
        Cogwork.Response deleted = null;
        try {
            deleted = cogwork.delete("/api/2.0/mlflow/registered-models/alias?name=credit-risk-mlflow&alias=production");
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        assertEquals(200, deleted.status(), deleted.body());
        MlflowHttpException gone = assertThrows(MlflowHttpException.class,
                () -> client.sendGet("registered-models/alias?name=credit-risk-mlflow&alias=production"));
        assertEquals(404, gone.getStatusCode());
        MlflowHttpException missing = assertThrows(MlflowHttpException.class, () -> client.getRegisteredModel("nope"));
        assertEquals(404, missing.getStatusCode());
        assertTrue(missing.getBodyMessage().contains("RESOURCE_DOES_NOT_EXIST"), missing.getBodyMessage());
    }
}
