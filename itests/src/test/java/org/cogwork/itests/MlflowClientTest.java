package org.cogwork.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.ZipInputStream;
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
import org.mlflow.api.proto.Service.ViewType;
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
        FileSourceTest.addSharedData(cogwork);
        // as MLflow's own clients authenticate: MLFLOW_TRACKING_USERNAME / MLFLOW_TRACKING_PASSWORD → Basic
        client = new MlflowClient(new org.mlflow.tracking.creds.BasicMlflowHostCreds("http://127.0.0.1:" + cogwork.port, "admin", Cogwork.ADMIN_PASSWORD));
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
        // runs:/ resolved to the run's artifacts, as MLflow's server does at registration
        assertEquals("mlflow-artifacts:/" + expId + "/" + runId + "/artifacts/model", client.getModelVersionDownloadUri("credit-risk-mlflow", "1"));
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

    // ---------------------------------------------------------------- artifacts
    //
    // MLflow's Java client (2.17.2) does not fetch artifacts itself: every artifact call (listArtifacts,
    // downloadArtifacts, downloadModelVersion) goes through CliBasedArtifactRepository, which forks the Python
    // `mlflow` CLI (javap shows ArtifactRepositoryFactory always answers a CliBasedArtifactRepository). So the tests
    // below ask the Java client for what it resolves over REST (artifact URIs, the download URI, artifacts/list
    // through sendGet) and then make exactly the requests MLflow's Python client makes for a mlflow-artifacts:/ URI
    // (mlflow.store.artifact.http_artifact_repo.HttpArtifactRepository, as MlflowArtifactsRepository resolves it
    // against the tracking URI): GET .../mlflow-artifacts/artifacts?path=<root>[/<dir>] to list,
    // GET .../mlflow-artifacts/artifacts/<root>/<file> to download, PUT there to log.

    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    static final String ARTIFACTS = "/api/2.0/mlflow-artifacts/artifacts";

    record Bytes(int status, byte[] body) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        JsonNode json() throws Exception {
            return Cogwork.JSON.readTree(body);
        }
    }

    static Bytes http(String method, String path, byte[] body, String auth) throws Exception {
        return http(method, path, body, auth, method.equals("PUT") ? "application/octet-stream" : "application/json");
    }

    static Bytes http(String method, String path, byte[] body, String auth, String contentType) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + cogwork.port + path)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        if (auth != null) {
            b.header("Authorization", auth);
        }
        if (body != null) {
            // MLflow's clients send JSON to the REST API and a guessed MIME type with artifact bytes
            b.header("Content-Type", contentType);
        }
        HttpResponse<byte[]> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        return new Bytes(r.statusCode(), r.body());
    }

    static String q(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /** What MlflowArtifactsRepository.resolve_uri gives for a mlflow-artifacts:/ URI: the path below the proxy. */
    static String root(String mlflowArtifactsUri) {
        assertTrue(mlflowArtifactsUri.startsWith("mlflow-artifacts:/"), mlflowArtifactsUri);
        return mlflowArtifactsUri.substring("mlflow-artifacts:/".length());
    }

    /**
     * ArtifactRepository.download_artifacts("") over HttpArtifactRepository: list the root (non-empty: a folder),
     * then every file below it, recursively. Returns relative path → bytes, and checks each listed size.
     */
    static Map<String, byte[]> downloadAll(String root, String auth) throws Exception {
        Map<String, byte[]> out = new TreeMap<>();
        download(root, "", auth, out);
        return out;
    }

    private static void download(String root, String dir, String auth, Map<String, byte[]> out) throws Exception {
        Bytes listing = http("GET", ARTIFACTS + "?path=" + q(dir.isEmpty() ? root : root + "/" + dir), null, auth);
        assertEquals(200, listing.status(), listing.text());
        for (JsonNode f : listing.json().path("files")) {
            String name = f.path("path").asText();
            assertFalse(name.contains("/"), "listed names are base names, as MLflow's server gives them: " + name);
            String rel = dir.isEmpty() ? name : dir + "/" + name;
            if (f.path("is_dir").asBoolean()) {
                download(root, rel, auth, out);
            } else {
                // requests percent-encodes what a URL path may not hold (requote_uri), '/' stays
                String encoded = java.util.Arrays.stream((root + "/" + rel).split("/")).map(x -> q(x).replace("+", "%20"))
                        .collect(java.util.stream.Collectors.joining("/"));
                Bytes file = http("GET", ARTIFACTS + "/" + encoded, null, auth);
                assertEquals(200, file.status(), rel + ": " + file.text());
                assertEquals(f.path("file_size").asLong(), file.body().length, rel);
                out.put(rel, file.body());
            }
        }
    }

    static void assertMlflowError(Bytes r, int status, String code) throws Exception {
        assertEquals(status, r.status(), r.text());
        assertEquals(code, r.json().path("error_code").asText(), r.text());
        assertTrue(r.json().path("message").isTextual(), r.text());
    }

    @Test
    void aTrainedModelsVersionDownloadsThroughItsDownloadUri() throws Exception {
        Cogwork.Response submitted = TrainingApiTest.submitTo(cogwork, """
                {"name": "credit-mlflow-download", "experiment": "mlflow-download", "source": "data", "dataset": "credit_data.csv",
                 "target": "Status", "engine": "tribuo", "algorithm": "logistic", "seed": 3,
                 "register": {"model": "credit-downloaded"}}""");
        assertEquals(202, submitted.status(), submitted.body());
        JsonNode job = TrainingApiTest.awaitDone(cogwork, submitted.json().path("id").asText());
        assertEquals("SUCCEEDED", job.path("status").asText(), job.toString());
        String runId = job.path("result").path("tracking").path("runId").asText();

        ModelVersion v = client.getModelVersion("credit-downloaded", "1");
        assertEquals(runId, v.getRunId());
        String uri = client.getModelVersionDownloadUri("credit-downloaded", "1");
        String expId = client.getRun(runId).getInfo().getExperimentId();
        assertEquals("mlflow-artifacts:/" + expId + "/" + runId + "/artifacts/model", uri, "the version's folder, as MLflow clients expect");
        assertEquals("mlflow-artifacts:/" + expId + "/" + runId + "/artifacts", client.getRun(runId).getInfo().getArtifactUri());

        Map<String, byte[]> files = downloadAll(root(uri), Cogwork.ADMIN);
        assertEquals(List.of("model.zip"), List.copyOf(files.keySet()));
        byte[] zip = files.get("model.zip");
        Bytes direct = http("GET", "/api/runs/" + runId + "/artifacts/model/model.zip", null, Cogwork.ADMIN);
        assertEquals(200, direct.status());
        assertTrue(java.util.Arrays.equals(direct.body(), zip), "the same bytes as Cogwork's own artifact endpoint");
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
            assertTrue(in.getNextEntry() != null, "a model package: a zip with entries");
        }
        // the old tracking API lists the same, relative to the run's root
        JsonNode listed = Cogwork.JSON.readTree(client.sendGet("artifacts/list?run_id=" + runId + "&path=model"));
        assertEquals("mlflow-artifacts:/" + expId + "/" + runId + "/artifacts", listed.path("root_uri").asText(), listed.toString());
        assertEquals("model/model.zip", listed.path("files").get(0).path("path").asText(), listed.toString());
        assertEquals(zip.length, listed.path("files").get(0).path("file_size").asLong());
    }

    @Test
    void artifactsLoggedListedAndDownloadedAsMlflowsPythonClientDoes() throws Exception {
        String expId = client.createExperiment("mlflow-artifacts-itest");
        RunInfo info = client.createRun(expId);
        String runId = info.getRunId();
        String runRoot = root(info.getArtifactUri());
        assertEquals(expId + "/" + runId + "/artifacts", runRoot);
        byte[] mlmodel = "artifact_path: model\nflavors: {}\n".getBytes(StandardCharsets.UTF_8);
        byte[] weights = new byte[70_000];
        new java.util.Random(7).nextBytes(weights);
        // logged through Cogwork's run API (into the configured artifact store)
        assertEquals(201, http("PUT", "/api/runs/" + runId + "/artifacts/model/MLmodel", mlmodel, Cogwork.ADMIN).status());
        assertEquals(201, http("PUT", "/api/runs/" + runId + "/artifacts/model/data/weights%20v1.bin", weights, Cogwork.ADMIN).status());

        client.sendPost("registered-models/create", "{\"name\": \"mlflow-logged\"}");
        client.sendPost("model-versions/create", "{\"name\": \"mlflow-logged\", \"source\": \"runs:/" + runId + "/model\", \"run_id\": \"" + runId + "\"}");
        String uri = client.getModelVersionDownloadUri("mlflow-logged", "1");
        assertEquals("mlflow-artifacts:/" + runRoot + "/model", uri);

        String scientist = user("scientist1", "data-scientist");
        Map<String, byte[]> files = downloadAll(root(uri), scientist);
        assertEquals(List.of("MLmodel", "data/weights v1.bin"), List.copyOf(files.keySet()));
        assertTrue(java.util.Arrays.equals(mlmodel, files.get("MLmodel")));
        assertTrue(java.util.Arrays.equals(weights, files.get("data/weights v1.bin")));
        // a file lists nothing (how MLflow clients tell a file from a folder), the run's folder holds "artifacts"
        assertEquals(0, http("GET", ARTIFACTS + "?path=" + q(runRoot + "/model/MLmodel"), null, scientist).json().path("files").size());
        assertEquals("artifacts", http("GET", ARTIFACTS + "?path=" + q(expId + "/" + runId), null, scientist).json()
                .path("files").get(0).path("path").asText());

        // MLflow's errors: a missing file, a missing run, a folder downloaded as a file, traversal, other endpoints
        assertMlflowError(http("GET", ARTIFACTS + "/" + runRoot + "/model/nothing", null, scientist), 404, "RESOURCE_DOES_NOT_EXIST");
        assertMlflowError(http("GET", ARTIFACTS + "/" + expId + "/0123456789abcdef0123456789abcdef/artifacts/model/MLmodel", null, scientist),
                404, "RESOURCE_DOES_NOT_EXIST");
        assertMlflowError(http("GET", ARTIFACTS + "/" + (Long.parseLong(expId) + 1) + "/" + runId + "/artifacts/model/MLmodel", null, scientist),
                404, "RESOURCE_DOES_NOT_EXIST");
        assertMlflowError(http("GET", ARTIFACTS + "/" + runRoot + "/model", null, scientist), 400, "INVALID_PARAMETER_VALUE");
        for (String bad : List.of("../../etc", runRoot + "/../../../etc/passwd", "/etc/passwd", runRoot + "/%2e%2e/x", runRoot + "\\..\\x")) {
            assertMlflowError(http("GET", ARTIFACTS + "?path=" + q(bad), null, scientist), 400, "INVALID_PARAMETER_VALUE");
        }
        // encoded separators, dot segments and '%' in the path: Jetty refuses them as ambiguous before any route sees them
        // (the route checks again, decoding twice as MLflow's server does, like the query string's path above)
        for (String bad : List.of("/%2e%2e/%2e%2e/%2e%2e/x", "/model/%2F%2Fetc", "/a%5Cb", "/%2e%2e%2f%2e%2e%2fx", "/%252e%252e/x")) {
            Bytes r = http("GET", ARTIFACTS + "/" + runRoot + bad, null, scientist);
            assertTrue(r.status() == 400 || r.status() == 404 && r.text().contains("RESOURCE_DOES_NOT_EXIST"), bad + ": " + r.status() + " " + r.text());
        }
        assertMlflowError(http("DELETE", ARTIFACTS + "/" + runRoot + "/model/MLmodel", null, scientist), 404, "ENDPOINT_NOT_FOUND");
        assertMlflowError(http("POST", "/api/2.0/mlflow-artifacts/mpu/create", "{}".getBytes(StandardCharsets.UTF_8), scientist), 404, "ENDPOINT_NOT_FOUND");
        assertMlflowError(http("GET", "/api/2.0/mlflow/artifacts/list?run_id=" + runId + "&path=" + q("../x"), null, scientist), 400, "INVALID_PARAMETER_VALUE");
        // roles as the other MLflow routes: an integrator may not read artifacts, nobody anonymous
        String integrator = user("integrator1", "integrator");
        assertMlflowError(http("GET", ARTIFACTS + "?path=" + q(runRoot), null, integrator), 403, "PERMISSION_DENIED");
        assertMlflowError(http("GET", ARTIFACTS + "/" + runRoot + "/model/MLmodel", null, integrator), 403, "PERMISSION_DENIED");
        assertEquals(401, http("GET", ARTIFACTS + "/" + runRoot + "/model/MLmodel", null, null).status());
    }

    @Test
    void artifactsLoggedThroughTheProxyAsPythonsLogArtifactSendsThem() throws Exception {
        String expId = client.createExperiment("mlflow-artifacts-upload");
        RunInfo info = client.createRun(expId);
        String runId = info.getRunId();
        String runRoot = root(info.getArtifactUri());
        String scientist = user("scientist2", "data-scientist");
        // log_artifact(path) PUTs the bytes with the MIME type mimetypes guesses: octet-stream, text/plain, ...
        byte[] mlmodel = "artifact_path: model\n".getBytes(StandardCharsets.UTF_8);
        byte[] notes = "trained on credit_data.csv\n".getBytes(StandardCharsets.UTF_8);
        Bytes put = http("PUT", ARTIFACTS + "/" + runRoot + "/model/MLmodel", mlmodel, scientist, "application/octet-stream");
        assertEquals(200, put.status(), put.text());
        assertEquals("{}", put.text());
        put = http("PUT", ARTIFACTS + "/" + runRoot + "/model/notes%20v1.txt", notes, scientist, "text/plain");
        assertEquals(200, put.status(), put.text());
        Map<String, byte[]> files = downloadAll(runRoot, scientist);
        assertEquals(List.of("model/MLmodel", "model/notes v1.txt"), List.copyOf(files.keySet()));
        assertTrue(java.util.Arrays.equals(notes, files.get("model/notes v1.txt")));
        // the same artifacts through Cogwork's own API: one store, checksummed
        JsonNode own = cogwork.get("/api/runs/" + runId + "/artifacts").json();
        assertEquals(2, own.size(), own.toString());
        assertEquals(mlmodel.length, own.path("model/MLmodel").asLong(), own.toString());
        assertEquals(notes.length, own.path("model/notes v1.txt").asLong(), own.toString());

        assertMlflowError(http("PUT", ARTIFACTS + "/" + runRoot + "/model", new byte[1], scientist), 400, "INVALID_PARAMETER_VALUE");
        assertMlflowError(http("PUT", ARTIFACTS + "/" + runRoot, new byte[1], scientist), 400, "INVALID_PARAMETER_VALUE");
        assertMlflowError(http("PUT", ARTIFACTS + "/" + expId + "/0123456789abcdef0123456789abcdef/artifacts/x", new byte[1], scientist),
                404, "RESOURCE_DOES_NOT_EXIST");
        assertMlflowError(http("PUT", ARTIFACTS + "/" + expId + "/x", new byte[1], scientist), 404, "RESOURCE_DOES_NOT_EXIST");
        assertMlflowError(http("PUT", ARTIFACTS + "/" + runRoot + "/model/MLmodel", new byte[1], user("integrator2", "integrator")),
                403, "PERMISSION_DENIED");
        assertEquals(400, http("PUT", ARTIFACTS + "/" + runRoot + "/%2e%2e/%2e%2e/x", new byte[1], scientist).status());
        client.deleteRun(runId);
        assertMlflowError(http("PUT", ARTIFACTS + "/" + runRoot + "/model/late.txt", new byte[1], scientist), 400, "INVALID_PARAMETER_VALUE");
        assertEquals(2, downloadAll(runRoot, scientist).size(), "a deleted run's artifacts still download (as MLflow's), nothing was added");
        // a page in a browser cannot send one: a foreign Origin is refused before any route
        HttpResponse<String> cross = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + cogwork.port + ARTIFACTS + "/" + runRoot + "/x.txt"))
                .header("Authorization", scientist).header("Origin", "http://evil.example").header("Content-Type", "text/plain")
                .PUT(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(403, cross.statusCode(), cross.body());
    }

    static String user(String name, String role) throws Exception {
        Cogwork.Response r = cogwork.as(Cogwork.ADMIN).post("/api/users",
                "{\"name\": \"" + name + "\", \"role\": \"" + role + "\", \"password\": \"pw-" + name + "-secret\"}");
        assertEquals(201, r.status(), r.body());
        return Cogwork.basic(name, "pw-" + name + "-secret");
    }

    @Test
    void runSearchTakesMlflowsAttributeSyntax() {
        String expId = client.createExperiment("mlflow-search-attributes");
        RunInfo a = client.createRun(org.mlflow.api.proto.Service.CreateRun.newBuilder().setExperimentId(expId).setRunName("Forest-1")
                .setStartTime(1_000).build());
        RunInfo b = client.createRun(org.mlflow.api.proto.Service.CreateRun.newBuilder().setExperimentId(expId).setRunName("forest-2")
                .setStartTime(2_000).build());
        RunInfo c = client.createRun(org.mlflow.api.proto.Service.CreateRun.newBuilder().setExperimentId(expId).setRunName("logistic")
                .setStartTime(3_000).build());
        client.setTerminated(b.getRunId(), RunStatus.FINISHED);
        List<String> ids = client.searchRuns(List.of(expId), "attributes.run_id IN ('" + a.getRunId() + "', '" + c.getRunId() + "')",
                ViewType.ACTIVE_ONLY, 100, List.of("attributes.start_time DESC")).getItems().stream().map(r -> r.getInfo().getRunId()).toList();
        assertEquals(List.of(c.getRunId(), a.getRunId()), ids);
        // (names whose order is the same case-sensitive or not, so H2 and PostgreSQL collations agree)
        assertEquals(List.of("Forest-1", "forest-2"), client.searchRuns(List.of(expId), "run_name ILIKE '%FOREST%'", ViewType.ACTIVE_ONLY, 100,
                List.of("run_name ASC")).getItems().stream().map(r -> r.getInfo().getRunName()).toList());
        assertEquals(List.of(b.getRunId()), client.searchRuns(List.of(expId), "status = 'FINISHED'").stream().map(RunInfo::getRunId).toList());
        assertEquals(List.of(b.getRunId()), client.searchRuns(List.of(expId), "user_id = 'admin' and created >= 2000 and created < 3000")
                .stream().map(RunInfo::getRunId).toList());
        MlflowHttpException or = assertThrows(MlflowHttpException.class,
                () -> client.searchRuns(List.of(expId), "run_name = 'logistic' OR status = 'FINISHED'"));
        assertEquals(400, or.getStatusCode());
        assertTrue(or.getBodyMessage().contains("INVALID_PARAMETER_VALUE") && or.getBodyMessage().contains("OR is not supported"),
                or.getBodyMessage());
        MlflowHttpException datasets = assertThrows(MlflowHttpException.class, () -> client.searchRuns(List.of(expId), "datasets.name = 'x'"));
        assertTrue(datasets.getBodyMessage().contains("datasets"), datasets.getBodyMessage());
    }
}
