package org.cogwork.mlflow.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.reflect.Proxy;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.cogwork.api.registry.ModelRegistry;
import org.cogwork.api.registry.ModelVersion;
import org.cogwork.api.security.Role;
import org.cogwork.api.tracking.ExperimentTracker;
import org.cogwork.api.tracking.Run;
import org.cogwork.api.tracking.RunStatus;
import org.cogwork.runtime.rest.ErrorShape;
import org.cogwork.runtime.rest.Route;
import org.cogwork.runtime.rest.Routes;
import org.junit.jupiter.api.Test;

/**
 * The artifact side of the MLflow API without a server: paths checked as MLflow's server checks them, listings in
 * MLflow's shape, download URIs MLflow clients resolve. Downloads and uploads over HTTP are in the itests
 * (MlflowClientTest).
 */
class MlflowArtifactsTest {
    static final String RUN = "0123456789abcdef0123456789abcdef";
    static final String OTHER = "fedcba9876543210fedcba9876543210";

    final Map<String, Long> artifacts = new TreeMap<>(Map.of("model/model.zip", 1234L, "model/MLmodel", 56L,
            "model/extra/notes.txt", 7L, "metrics.json", 89L));

    final ExperimentTracker tracker = (ExperimentTracker) Proxy.newProxyInstance(getClass().getClassLoader(),
            new Class<?>[] {ExperimentTracker.class}, (proxy, method, args) -> switch (method.getName()) {
                case "run" -> Optional.ofNullable(switch ((String) args[0]) {
                    case RUN -> run(RUN, "7");
                    case OTHER -> run(OTHER, "8");
                    default -> null;
                });
                case "listArtifacts" -> RUN.equals(args[0]) ? artifacts : Map.of();
                default -> throw new UnsupportedOperationException(method.getName());
            });

    static Run run(String id, String experiment) {
        return new Run(id, experiment, "r", RunStatus.FINISHED, Instant.EPOCH, null, "cogwork-artifacts:/" + experiment + "/" + id + "/artifacts",
                "active", Map.of(), Map.of(), Map.of());
    }

    final ModelRegistry registry = (ModelRegistry) Proxy.newProxyInstance(getClass().getClassLoader(),
            new Class<?>[] {ModelRegistry.class}, (proxy, method, args) -> {
                throw new UnsupportedOperationException(method.getName());
            });

    static ModelVersion version(String source) {
        return new ModelVersion("m", 1, null, source, "READY", null, null, Instant.EPOCH, Instant.EPOCH, Set.of(), Map.of(), Map.of());
    }

    static List<String> paths(JsonNode files) {
        List<String> out = new ArrayList<>();
        files.forEach(f -> out.add(f.path("path").asText() + (f.path("is_dir").asBoolean() ? "/" : "=" + f.path("file_size").asLong())));
        return out;
    }

    static MlflowError refusal(Runnable r) {
        return assertThrows(MlflowError.class, r::run);
    }

    @Test
    void listingsAreMlflowsFileInfosOfTheEntriesDirectlyBelow() {
        MlflowArtifactsResource res = new MlflowArtifactsResource(tracker);
        assertEquals(List.of("metrics.json=89", "model/"), paths(res.list("7/" + RUN + "/artifacts").path("files")));
        assertEquals(List.of("MLmodel=56", "extra/", "model.zip=1234"), paths(res.list("7/" + RUN + "/artifacts/model/").path("files")));
        assertEquals(List.of("notes.txt=7"), paths(res.list("7/" + RUN + "/artifacts/model/extra").path("files")));
        // a file or a missing path lists nothing: that is how MLflow clients tell a file from a folder
        assertEquals(List.of(), paths(res.list("7/" + RUN + "/artifacts/model/model.zip").path("files")));
        assertEquals(List.of(), paths(res.list("7/" + RUN + "/artifacts/nothing/here").path("files")));
        assertEquals(List.of("artifacts/"), paths(res.list("7/" + RUN).path("files")));
        JsonNode file = res.list("7/" + RUN + "/artifacts").path("files").get(0);
        assertEquals(Set.of("path", "is_dir", "file_size"), Set.copyOf(MlflowResourceTest.iterable((ObjectNode) file)));
        assertTrue(file.path("file_size").isIntegralNumber(), "int64 as a JSON number, as MLflow's server writes it: " + file);

        // a run under another experiment's id, an unknown run, a path beside the artifacts: 404 in MLflow's terms
        for (String p : List.of("8/" + RUN + "/artifacts", "7/" + OTHER + "/artifacts", "7/" + "0".repeat(32) + "/artifacts",
                "7/" + RUN + "/other", "7/not-a-run/artifacts", "8/" + RUN)) {
            MlflowError e = refusal(() -> res.list(p));
            assertEquals("RESOURCE_DOES_NOT_EXIST", e.code, p);
            assertEquals(404, e.status(), p);
        }
        // above a run: Cogwork does not list experiments as folders, and says so
        for (String p : java.util.Arrays.asList(null, "", "7")) {
            MlflowError e = refusal(() -> res.list(p));
            assertEquals("INVALID_PARAMETER_VALUE", e.code);
            assertTrue(e.getMessage().contains("inside a run"), e.getMessage());
        }
    }

    @Test
    void traversalAndOtherUnsafePathsAreRefusedAsMlflowsServerDoes() {
        for (String p : List.of("..", "../etc/passwd", "7/../../etc", "7/./x", "/etc/passwd", "a//b", "a\\b", "..\\..\\x",
                "a#b", "a\u0000b", "a\nb", "%2e%2e/x", "7/%2E%2E/%2e%2e", "%252e%252e/x", "%2fetc%2fpasswd", "a/%2F/b", ".",
                "x".repeat(2001))) {
            MlflowError e = refusal(() -> Artifacts.safePath(p));
            assertEquals(400, e.status(), p);
            assertEquals("INVALID_PARAMETER_VALUE", e.code, p);
            assertFalse(e.getMessage().contains("\u0000") || e.getMessage().contains("\n"), "no control character echoed: " + e.getMessage());
            refusal(() -> new MlflowArtifactsResource(tracker).list(p));
        }
        assertEquals("7/r/artifacts/model", Artifacts.safePath("7/r/artifacts/model/"));
        assertEquals("a/100%/b c", Artifacts.safePath("a/100%/b c"), "a literal % that is no encoding is a name");
        assertEquals("a/...", Artifacts.safePath("a/..."));
        assertEquals("", Artifacts.safePath(null));
    }

    @Test
    void downloadUrisAreFoldersMlflowClientsResolve() {
        MlflowResource res = new MlflowResource(tracker, registry);
        // Cogwork's training registers the model file: the URI is the folder holding it
        assertEquals("mlflow-artifacts:/7/" + RUN + "/artifacts/model",
                res.downloadUri(version("cogwork-artifacts:/7/" + RUN + "/artifacts/model/model.zip")));
        assertEquals("mlflow-artifacts:/7/" + RUN + "/artifacts",
                res.downloadUri(version("cogwork-artifacts:/7/" + RUN + "/artifacts/metrics.json")));
        assertEquals("mlflow-artifacts:/7/" + RUN + "/artifacts/model",
                res.downloadUri(version("cogwork-artifacts:/7/" + RUN + "/artifacts/model")));
        // runs:/ resolves to the run's artifacts, as MLflow's server resolves it at registration
        assertEquals("mlflow-artifacts:/7/" + RUN + "/artifacts/model", res.downloadUri(version("runs:/" + RUN + "/model")));
        assertEquals("mlflow-artifacts:/7/" + RUN + "/artifacts", res.downloadUri(version("runs:/" + RUN)));
        // what no run holds, or what a client fetches elsewhere, stays as registered
        for (String s : List.of("s3://bucket/model", "runs:/" + "0".repeat(32) + "/model", "runs:/" + RUN + "/../x",
                "cogwork-artifacts:/8/" + RUN + "/artifacts/model", "cogwork-artifacts:/../../etc", "mlflow-artifacts:/1/x/artifacts/m",
                "models:/other/1", "file:///tmp/model")) {
            assertEquals(s, res.downloadUri(version(s)), s);
        }
    }

    @Test
    void artifactUrisOfRunsAndExperimentsAreMlflowArtifactUris() {
        assertEquals("mlflow-artifacts:/7/" + RUN + "/artifacts", Shapes.runInfo(run(RUN, "7")).path("artifact_uri").asText());
        assertEquals("s3://b/x", Artifacts.toMlflow("s3://b/x"));
    }

    List<Route> routes() {
        List<Route> out = new ArrayList<>();
        new MlflowArtifactsResource(tracker).routes(new Routes() {
            @Override
            public Route.Builder route(String method, String path) {
                return new Route.Builder(method, path, out::add);
            }

            @Override
            public Routes errors(ErrorShape shape) {
                return this;
            }

            @Override
            public Routes tag(String tag) {
                return this;
            }
        });
        return out;
    }

    @Test
    void artifactRoutesAreForDataScientistsAndOnlyUploadsAreAudited() {
        List<Route> all = routes();
        all.forEach(r -> assertEquals(Set.of(Role.DATA_SCIENTIST), r.roles(), r.method() + " " + r.path()));
        List<String> audited = all.stream().filter(Route::audited).map(r -> r.method() + " " + r.path()).toList();
        assertEquals(List.of("PUT /api/2.0/mlflow-artifacts/artifacts/{path+}"), audited);
        assertTrue(all.stream().filter(Route::audited).allMatch(Route::streamed), "the upload reads raw bytes");
        assertTrue(all.stream().anyMatch(r -> r.method().equals("GET") && r.path().equals("/api/2.0/mlflow-artifacts/artifacts")));
        assertTrue(all.stream().anyMatch(r -> r.method().equals("DELETE") && r.path().equals("/api/2.0/mlflow-artifacts/{endpoint+}")));
    }
}
