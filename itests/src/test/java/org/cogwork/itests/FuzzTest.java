package org.cogwork.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every route of every REST bundle, with existing objects behind it, fed bad input: malformed JSON, {@code null},
 * {@code []}, scalars, unknown fields, wrong types, 10 MB strings, 10,000 levels of nesting, bad percent-encoding,
 * over-long URIs, broken multipart. Every answer must be JSON below 500, name no Java class and quote no input
 * beyond 100 characters in an error; a connection the server closes must say {@code Connection: close}. Requests go over raw
 * sockets: the JDK's HTTP client refuses to send a malformed URI.
 */
class FuzzTest {
    @TempDir
    static Path tmp;
    static Cogwork cogwork;
    static final Map<String, String> ids = new LinkedHashMap<>();

    /** A run of this character longer than the quote limit in an answer is an echoed input. */
    static final String Q = "q";
    static final String ECHO = Q.repeat(101);
    /** A qualified Java class name (org.cogwork.x.Y, java.lang.Z), or an exception's simple name. */
    static final java.util.regex.Pattern CLASS_NAME = java.util.regex.Pattern.compile(
            "\\b(?:org\\.cogwork|java|javax|jakarta|com\\.fasterxml|org\\.eclipse|org\\.apache)(?:\\.[a-z0-9_]+)*\\.[A-Z]|[A-Za-z]Exception\\b");

    // method, path template; {x} is replaced by an existing object's id (and by bad values in turn)
    static final String[][] ROUTES = {
            {"GET", "/"}, {"GET", "/health"}, {"GET", "/{nothing}"},
            {"GET", "/api/bundles"}, {"POST", "/api/bundles"}, {"GET", "/api/bundles/{bundle}"}, {"DELETE", "/api/bundles/{bundle}"},
            {"POST", "/api/bundles/{bundle}/start"}, {"POST", "/api/bundles/{bundle}/stop"},
            {"GET", "/api/services"}, {"GET", "/api/engines"}, {"GET", "/api/engines/{engine}"}, {"GET", "/api/events"},
            {"GET", "/api/sources"}, {"POST", "/api/sources"}, {"GET", "/api/sources/{source}"}, {"DELETE", "/api/sources/{nothing}"},
            {"POST", "/api/sources/{source}/test"}, {"GET", "/api/sources/{source}/datasets"},
            {"GET", "/api/sources/{source}/datasets/{dataset}/schema"}, {"GET", "/api/sources/{source}/datasets/{dataset}/preview"},
            {"POST", "/api/sources/{source}/datasets/{dataset}/query"},
            {"GET", "/api/trainings"}, {"POST", "/api/trainings"}, {"POST", "/api/trainings/reproduce"},
            {"GET", "/api/trainings/{training}"}, {"DELETE", "/api/trainings/{training}"}, {"POST", "/api/trainings/{training}/cancel"},
            {"GET", "/api/trainings/{training}/artifact"},
            {"GET", "/api/experiments"}, {"POST", "/api/experiments"}, {"GET", "/api/experiments/{experiment}"},
            {"DELETE", "/api/experiments/{nothing}"}, {"POST", "/api/experiments/{experiment}/restore"},
            {"GET", "/api/runs"}, {"POST", "/api/runs"}, {"GET", "/api/runs/{run}"}, {"PATCH", "/api/runs/{run}"},
            {"DELETE", "/api/runs/{nothing}"}, {"POST", "/api/runs/{run}/metrics"}, {"POST", "/api/runs/{run}/params"},
            {"POST", "/api/runs/{run}/tags"}, {"POST", "/api/runs/{run}/batch"}, {"POST", "/api/runs/{run}/restore"},
            {"GET", "/api/runs/{run}/metrics/{metric}"}, {"GET", "/api/runs/{run}/artifacts"},
            {"GET", "/api/runs/{run}/artifacts/{artifact}"}, {"PUT", "/api/runs/{run}/artifacts/fuzz/{nothing}"},
            {"GET", "/api/models"}, {"POST", "/api/models"}, {"GET", "/api/models/{model}"}, {"PATCH", "/api/models/{model}"},
            {"DELETE", "/api/models/{nothing}"}, {"GET", "/api/models/{model}/versions"}, {"POST", "/api/models/{model}/versions"},
            {"GET", "/api/models/{model}/versions/{version}"}, {"PATCH", "/api/models/{model}/versions/{version}"},
            {"DELETE", "/api/models/{model}/versions/{nothing}"}, {"GET", "/api/models/{model}/aliases/{alias}"},
            {"PUT", "/api/models/{model}/aliases/{alias}"}, {"DELETE", "/api/models/{model}/aliases/{nothing}"},
            {"GET", "/api/models/{model}/audit"}, {"POST", "/api/models/{model}/versions/{version}/evaluate"},
            {"POST", "/api/models/{model}/predict"}, {"GET", "/api/models/{model}/schema"}, {"GET", "/api/models/{model}/traffic"},
            {"PUT", "/api/models/{model}/traffic"}, {"GET", "/api/serving"},
            {"GET", "/api/predictions/{prediction}"}, {"GET", "/api/predictions/{prediction}/feedback"},
            {"POST", "/api/predictions/{prediction}/feedback"},
            {"GET", "/api/openapi.json"}, {"GET", "/api/session"}, {"POST", "/api/session"}, {"DELETE", "/api/session"},
            {"GET", "/metrics"}, {"GET", "/api/session/stats"}, {"DELETE", "/api/models/{model}/traffic"},
            {"GET", "/api/models/{model}/serving-options"}, {"PUT", "/api/models/{model}/serving-options"},
            {"DELETE", "/api/models/{model}/serving-options"}, {"POST", "/api/runs/{run}/reproduce"}, {"GET", "/api/users"}, {"POST", "/api/users"}, {"GET", "/api/users/{nothing}"},
            {"PATCH", "/api/users/{nothing}"}, {"DELETE", "/api/users/{nothing}"}, {"GET", "/api/tokens"}, {"POST", "/api/tokens"},
            {"DELETE", "/api/tokens/{nothing}"}, {"GET", "/api/audit"},
            {"GET", "/api/2.0/mlflow-artifacts/artifacts"}, {"GET", "/api/2.0/mlflow-artifacts/artifacts/{mlflowArtifact}"},
            {"PUT", "/api/2.0/mlflow-artifacts/artifacts/fuzz/{nothing}"}, {"POST", "/api/2.0/mlflow-artifacts/no-such-endpoint"},
    };

    static final String[][] MLFLOW = {
            {"POST", "experiments/create"}, {"GET", "experiments/get"}, {"GET", "experiments/get-by-name"},
            {"POST", "experiments/search"}, {"POST", "experiments/delete"}, {"POST", "experiments/restore"},
            {"POST", "experiments/set-experiment-tag"}, {"POST", "runs/create"}, {"POST", "runs/update"}, {"GET", "runs/get"},
            {"POST", "runs/search"}, {"POST", "runs/log-metric"}, {"POST", "runs/log-parameter"}, {"POST", "runs/log-batch"},
            {"POST", "runs/set-tag"}, {"POST", "runs/delete-tag"}, {"GET", "metrics/get-history"},
            {"POST", "registered-models/create"}, {"GET", "registered-models/get"}, {"POST", "registered-models/search"},
            {"PATCH", "registered-models/update"}, {"POST", "registered-models/set-tag"},
            {"POST", "registered-models/get-latest-versions"}, {"POST", "registered-models/alias"},
            {"GET", "registered-models/alias"}, {"POST", "model-versions/create"}, {"GET", "model-versions/get"},
            {"POST", "model-versions/search"}, {"PATCH", "model-versions/update"}, {"POST", "model-versions/set-tag"},
            {"GET", "model-versions/get-download-uri"}, {"POST", "no-such-endpoint"},
            {"GET", "experiments/search"}, {"GET", "model-versions/search"}, {"GET", "registered-models/search"},
            {"GET", "registered-models/get-latest-versions"}, {"GET", "runs/search"}, {"POST", "runs/delete"}, {"POST", "runs/restore"},
            {"DELETE", "model-versions/delete"}, {"DELETE", "registered-models/alias"}, {"DELETE", "registered-models/delete"},
            {"GET", "artifacts/list"},
    };

    // fields the routes read, each sent with values of the wrong JSON type and with a long string
    static final List<String> FIELDS = List.of("name", "id", "kind", "config", "key", "value", "step", "timestamp", "status",
            "endTime", "startTime", "experimentId", "experiment_id", "run_id", "runId", "tags", "metrics", "params",
            "description", "version", "approval", "source", "dataset", "target", "engine", "algorithm", "rows", "callerKey",
            "score", "correctedLabel", "author", "split", "shadow", "select", "where", "limit", "provenance");

    @BeforeAll
    static void boot() throws Exception {
        cogwork = Cogwork.fresh(tmp).start();
        FileSourceTest.addSharedData(cogwork);
        Cogwork.Response r = TrainingApiTest.submitTo(cogwork, """
                {"name": "fuzz", "source": "data", "dataset": "credit_data.csv", "target": "Status",
                 "engine": "tribuo", "algorithm": "logistic", "seed": 1, "register": {"model": "fuzz-model", "alias": "production"}}""");
        assertEquals(202, r.status(), r.body());
        JsonNode job = TrainingApiTest.awaitDone(cogwork, r.json().path("id").asText());
        assertEquals("SUCCEEDED", job.path("status").asText(), job.toString());
        JsonNode preview = cogwork.get("/api/sources/data/datasets/credit_data.csv/preview").json();
        List<String> columns = preview.path("columns").findValuesAsText("name");
        ObjectNode row = Cogwork.JSON.createObjectNode();
        for (int i = 0; i < columns.size(); i++) {
            if (!columns.get(i).equals("Status")) {
                row.set(columns.get(i), preview.path("rows").get(0).get(i));
            }
        }
        ObjectNode predict = Cogwork.JSON.createObjectNode();
        predict.putArray("rows").add(row);
        Cogwork.Response p = cogwork.post("/api/models/fuzz-model/predict", Cogwork.JSON.writeValueAsBytes(predict), "application/json");
        assertEquals(200, p.status(), p.body());
        Cogwork.Response e = cogwork.post("/api/experiments", "{\"name\": \"fuzz-experiment\"}".getBytes(StandardCharsets.UTF_8), "application/json");
        assertEquals(201, e.status(), e.body());
        String runtimeBundle = null;
        for (JsonNode b : cogwork.get("/api/bundles").json()) {
            if (b.path("symbolicName").asText().equals("org.cogwork.runtime")) {
                runtimeBundle = b.path("id").asText();
            }
        }
        ids.put("bundle", runtimeBundle);
        ids.put("engine", "tribuo");
        ids.put("source", "data");
        ids.put("dataset", "credit_data.csv");
        ids.put("training", job.path("id").asText());
        ids.put("experiment", e.json().path("id").asText());
        ids.put("run", job.path("result").path("tracking").path("runId").asText());
        ids.put("metric", "accuracy");
        ids.put("artifact", "model/model.zip");
        ids.put("model", "fuzz-model");
        ids.put("version", "1");
        ids.put("alias", "production");
        ids.put("prediction", p.json().path("predictions").get(0).path("id").asText());
        ids.put("nothing", "nothing-here");
        JsonNode run = cogwork.get("/api/runs/" + ids.get("run")).json();
        ids.put("mlflowArtifact", run.path("experimentId").asText() + "/" + ids.get("run") + "/artifacts/model/model.zip");
    }

    @AfterAll
    static void shutdown() throws Exception {
        if (cogwork != null) {
            cogwork.stop();
        }
    }

    /** One raw HTTP/1.1 exchange: what came back, and whether the server closed the connection after it. */
    record Answer(int status, Map<String, String> headers, String body, boolean keptOpen) {
    }

    final List<String> failures = new ArrayList<>();
    final Map<String, Integer> kinds = new java.util.TreeMap<>();
    int requests;

    /** A route added later is fuzzed too: every operation of the OpenAPI document is in the lists above. */
    @Test
    void everyDeclaredRouteIsFuzzed() throws Exception {
        java.util.Set<String> fuzzed = new java.util.HashSet<>();
        for (String[] r : ROUTES) {
            fuzzed.add(r[0] + " " + r[1].replaceAll("\\{[^}]*}", "{}").replace("/fuzz/{}", "/{}"));
        }
        for (String[] m : MLFLOW) {
            fuzzed.add(m[0] + " /api/2.0/mlflow/" + m[1]);
        }
        List<String> missing = new ArrayList<>();
        cogwork.get("/api/openapi.json").json().path("paths").fields().forEachRemaining(p -> p.getValue().fieldNames().forEachRemaining(m -> {
            String op = m.toUpperCase() + " " + p.getKey().replaceAll("\\{[^}]*}", "{}");
            // the MLflow catch-alls (ENDPOINT_NOT_FOUND) are fuzzed through no-such-endpoint
            if (!fuzzed.contains(op) && !op.endsWith(" /api/2.0/mlflow/{}") && !op.endsWith(" /api/2.0/mlflow-artifacts/{}")) {
                missing.add(op);
            }
        }));
        assertTrue(missing.isEmpty(), "declared but not fuzzed: " + missing);
    }

    @Test
    void everyRouteAnswersJsonBelow500ToBadInput() throws Exception {
        long t0 = System.nanoTime();
        List<byte[]> bodies = bodies();
        List<String[]> routes = new ArrayList<>();
        for (String[] r : ROUTES) {
            routes.add(r);
        }
        for (String[] m : MLFLOW) {
            routes.add(new String[] {m[0], "/api/2.0/mlflow/" + m[1]});
        }
        for (String[] route : routes) {
            String method = route[0];
            String template = route[1];
            for (String path : paths(template)) {
                check(method, path, null, null, template.contains("{") && !path.equals(fill(template)));
            }
            if (!method.equals("GET") && !method.equals("DELETE")) {
                String path = fill(template);
                for (byte[] body : bodies) {
                    check(method, path, "application/json", body, true);
                }
                // a wrong type or a long string in each field a route may read (MLflow's routes read fields as text)
                for (String f : template.startsWith("/api/2.0/") ? List.<String>of() : FIELDS) {
                    for (String v : List.of("[]", "\"" + Q.repeat(5000) + "\"")) {
                        check(method, path, "application/json", ("{\"" + f + "\": " + v + "}").getBytes(StandardCharsets.UTF_8), false);
                    }
                }
            }
        }
        // over-long URIs and headers are refused by Jetty itself
        check("GET", "/api/runs/" + Q.repeat(20_000), null, null, true);
        check("GET", "/api/runs?filter=" + Q.repeat(20_000), null, null, true);
        // uploads: multipart without a boundary, truncated, without the part; a body that is no jar
        check("POST", "/api/bundles", "multipart/form-data", "xxx".getBytes(StandardCharsets.UTF_8), true);
        check("POST", "/api/bundles", "multipart/form-data; boundary=XX",
                "--XX\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.jar\"\r\n\r\nPK".getBytes(StandardCharsets.UTF_8), true);
        check("POST", "/api/bundles", "multipart/form-data; boundary=XX",
                "--XX\r\nContent-Disposition: form-data; name=\"other\"\r\n\r\nx\r\n--XX--\r\n".getBytes(StandardCharsets.UTF_8), true);
        check("POST", "/api/bundles", "application/java-archive", Q.repeat(1000).getBytes(StandardCharsets.UTF_8), true);

        // every method on every path (last: DELETE removes what the routes above needed)
        java.util.Set<String> templates = new java.util.LinkedHashSet<>();
        routes.forEach(r -> templates.add(r[1]));
        for (String template : templates) {
            for (String method : List.of("GET", "POST", "PUT", "PATCH", "HEAD", "OPTIONS", "FOO", "DELETE")) {
                boolean body = List.of("POST", "PUT", "PATCH").contains(method);
                check(method, fill(template), body ? "application/json" : null, body ? "{}".getBytes(StandardCharsets.UTF_8) : null, false);
            }
        }

        long seconds = (System.nanoTime() - t0) / 1_000_000_000;
        assertTrue(failures.isEmpty(), failures.size() + " of " + requests + " answers were wrong (" + seconds + " s): " + kinds
                + "; e.g.:\n"
                + String.join("\n", failures.subList(0, Math.min(40, failures.size()))));
        assertTrue(cogwork.get("/health").status() == 200, "still healthy after " + requests + " bad requests");
    }

    @Test
    void oversizedNamesAreRefusedAtTheEdgeNamingTheField() throws Exception {
        String spec = "{\"name\": \"%s\", \"source\": \"data\", \"dataset\": \"credit_data.csv\", \"target\": \"Status\","
                + " \"engine\": \"tribuo\", \"algorithm\": \"logistic\"}";
        Answer huge = send("POST", "/api/trainings", "application/json", spec.formatted(Q.repeat(10_000_000)).getBytes(StandardCharsets.UTF_8));
        assertEquals(400, huge.status(), huge.body());
        Answer longName = send("POST", "/api/trainings", "application/json", spec.formatted(Q.repeat(300)).getBytes(StandardCharsets.UTF_8));
        assertEquals(400, longName.status(), longName.body());
        assertEquals("name", Cogwork.JSON.readTree(longName.body()).path("field").asText(), longName.body());
        Answer experiment = send("POST", "/api/experiments", "application/json",
                ("{\"name\": \"" + Q.repeat(600) + "\"}").getBytes(StandardCharsets.UTF_8));
        assertEquals(400, experiment.status(), experiment.body());
        assertEquals("name", Cogwork.JSON.readTree(experiment.body()).path("field").asText(), experiment.body());
        Answer tag = send("POST", "/api/runs/" + ids.get("run") + "/tags", "application/json",
                ("{\"key\": \"" + Q.repeat(300) + "\", \"value\": \"v\"}").getBytes(StandardCharsets.UTF_8));
        assertEquals(400, tag.status(), tag.body());
        assertEquals("key", Cogwork.JSON.readTree(tag.body()).path("field").asText(), tag.body());
        for (Answer a : List.of(huge, longName, experiment, tag)) {
            assertTrue(!a.body().contains(ECHO), "input echoed: " + a.body());
        }
        Answer wrongType = send("POST", "/api/runs/" + ids.get("run") + "/metrics", "application/json",
                "{\"key\": \"k\", \"value\": \"high\"}".getBytes(StandardCharsets.UTF_8));
        assertEquals(400, wrongType.status(), wrongType.body());
        JsonNode w = Cogwork.JSON.readTree(wrongType.body());
        assertEquals("value", w.path("field").asText(), wrongType.body());
        assertTrue(w.path("error").asText().contains("expected a number"), wrongType.body());
        Answer nul = send("POST", "/api/experiments", "application/json", "null".getBytes(StandardCharsets.UTF_8));
        assertEquals(400, nul.status(), nul.body());
        assertEquals("body", Cogwork.JSON.readTree(nul.body()).path("field").asText(), nul.body());
    }

    private List<byte[]> bodies() {
        List<String> texts = new ArrayList<>(List.of("", "{", "{\"name\": ", "null", "[]", "\"x\"", "42", "true", "{}",
                "{\"unknownField\": 1}", "{\"name\": \"a\"} trailing", "[null]", "{\"rows\": [null, 1, [], {\"x\": {}}]}",
                "{\"metrics\": [null, 1, {\"key\": \"k\"}], \"params\": {\"k\": null}, \"tags\": {\"k\": {}}}",
                "{\"split\": [null], \"shadow\": [\"x\"]}", "\u0000\u0001", "{\"\u0000\": 1}"));
        texts.add("[".repeat(10_000) + "]".repeat(10_000));
        texts.add("{\"a\":".repeat(10_000) + "1" + "}".repeat(10_000));
        texts.add("{\"" + Q.repeat(5000) + "\": 1}");
        List<byte[]> out = new ArrayList<>();
        texts.forEach(t -> out.add(t.getBytes(StandardCharsets.UTF_8)));
        out.add(("{\"name\": \"" + Q.repeat(10_000_000) + "\"}").getBytes(StandardCharsets.UTF_8));
        out.add(new byte[] {(byte) 0xff, (byte) 0xfe, '{', '}'});
        return out;
    }

    private static String fill(String template) {
        String p = template;
        for (Map.Entry<String, String> e : ids.entrySet()) {
            p = p.replace("{" + e.getKey() + "}", e.getValue());
        }
        return p;
    }

    /** The route with its ids, then with each placeholder in turn replaced by bad segments or left out. */
    private static List<String> paths(String template) {
        List<String> out = new ArrayList<>();
        out.add(fill(template));
        int start = template.indexOf('{');
        while (start >= 0) {
            int end = template.indexOf('}', start);
            for (String bad : List.of("%zz", "%00", "%2e%2e", "%25zz", "%ff%fe", Q.repeat(5000), "-1")) {
                out.add(fill(template.substring(0, start) + bad + template.substring(end + 1)));
            }
            String without = template.substring(0, start - 1) + template.substring(end + 1); // the segment left out
            if (!without.isEmpty()) {
                out.add(fill(without));
            }
            start = template.indexOf('{', end);
        }
        out.add(fill(template) + "?max=x&version=x&filter=%zz&experiment=" + Q.repeat(3000));
        return out;
    }

    private void check(String method, String path, String contentType, byte[] body, boolean checkConnection) {
        requests++;
        String what = method + " " + (path.length() > 80 ? path.substring(0, 80) + "…" : path)
                + (body == null ? "" : " body " + new String(body, 0, Math.min(40, body.length), StandardCharsets.UTF_8)
                .replace("\n", " ") + (body.length > 40 ? "…(" + body.length + " bytes)" : ""));
        Answer a;
        try {
            a = send(method, path, contentType, body, checkConnection);
        } catch (IOException e) {
            kinds.merge("no answer", 1, Integer::sum);
            failures.add(what + " → no answer: " + e);
            return;
        }
        String type = a.headers().getOrDefault("content-type", "");
        String closing = a.headers().getOrDefault("connection", "");
        if (a.status() >= 500 || a.status() < 100) {
            fail(what, "status " + a.status(), a);
        }
        boolean download = a.status() == 200 && (type.startsWith("application/octet-stream") || type.startsWith("application/zip")
                || (path.startsWith("/metrics") && type.startsWith("text/plain; version=0.0.4"))); // the Prometheus text format
        if (!a.body().isEmpty() && !download) {
            if (!type.startsWith("application/json")) {
                fail(what, "not JSON (" + type.replaceAll(";.*", "") + ")", a);
            } else if (!a.headers().containsKey("content-length")) {
                // every JSON reply, answer or error, goes out whole with its length (Json.write): not chunked
                fail(what, "JSON without Content-Length", a);
            } else {
                try {
                    Cogwork.JSON.readTree(a.body());
                } catch (IOException e) {
                    fail(what, "body does not parse", a);
                }
            }
        }
        if (a.status() >= 400 && CLASS_NAME.matcher(a.body()).find()) {
            fail(what, "names a Java class", a);
        }
        if (a.status() >= 400 && a.body().contains(ECHO)) {
            fail(what, "echoes more than 100 characters of input", a);
        }
        if (checkConnection && !a.keptOpen() && !closing.equalsIgnoreCase("close")) {
            fail(what, "closed the connection without Connection: close", a);
        }
    }

    private void fail(String what, String kind, Answer a) {
        kinds.merge(kind, 1, Integer::sum);
        failures.add(what + " → " + a.status() + " " + kind + ": " + abbreviate(a.body()));
    }

    private static String abbreviate(String s) {
        String one = s.replace("\n", " ");
        return one.length() > 300 ? one.substring(0, 300) + "…" : one;
    }

    /**
     * Sends one request on a new connection and reads the answer; then, with {@code followUp} and unless the answer
     * said {@code Connection: close}, sends {@code GET /} on the same connection to see whether it was kept open.
     */
    static Answer send(String method, String path, String contentType, byte[] body) throws IOException {
        return send(method, path, contentType, body, false);
    }

    static Answer send(String method, String path, String contentType, byte[] body, boolean followUp) throws IOException {
        return send(cogwork.port, method, path, contentType, body, followUp);
    }

    /** As the first admin: the routes behind the front door are what is fuzzed here (FrontDoorTest tries the door). */
    static Answer send(int port, String method, String path, String contentType, byte[] body, boolean followUp) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(30_000);
            OutputStream out = s.getOutputStream();
            StringBuilder head = new StringBuilder(method).append(' ').append(path).append(" HTTP/1.1\r\nHost: 127.0.0.1:")
                    .append(port).append("\r\nAuthorization: ").append(Cogwork.ADMIN).append("\r\n");
            if (contentType != null) {
                head.append("Content-Type: ").append(contentType).append("\r\n");
            }
            if (body != null) {
                head.append("Content-Length: ").append(body.length).append("\r\n");
            }
            out.write(head.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
            Thread writer = null;
            if (body != null && body.length <= 16 * 1024) {
                out.write(body);
                out.flush();
            } else if (body != null) {
                // written on another thread: the server may answer (and stop reading) before the body is all sent
                writer = new Thread(() -> {
                    try {
                        out.write(body);
                        out.flush();
                    } catch (IOException e) {
                        // the answer is what counts
                    }
                });
                writer.start();
            }
            InputStream in = s.getInputStream();
            Answer a = read(in, method.equals("HEAD"));
            if (writer != null) {
                try {
                    writer.join(30_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            boolean open = false;
            if (followUp && !a.headers().getOrDefault("connection", "").equalsIgnoreCase("close")) {
                try {
                    out.write(("GET / HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nAuthorization: " + Cogwork.ADMIN + "\r\n\r\n")
                            .getBytes(StandardCharsets.ISO_8859_1));
                    out.flush();
                    open = read(in, false).status() == 200;
                } catch (IOException e) {
                    open = false;
                }
            }
            return new Answer(a.status(), a.headers(), a.body(), open);
        }
    }

    private static Answer read(InputStream in, boolean head) throws IOException {
        String status = line(in);
        if (status == null) {
            throw new IOException("connection closed before an answer");
        }
        String[] parts = status.split(" ", 3);
        int code = Integer.parseInt(parts[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (String h = line(in); h != null && !h.isEmpty(); h = line(in)) {
            int colon = h.indexOf(':');
            headers.merge(h.substring(0, colon).trim().toLowerCase(Locale.ROOT), h.substring(colon + 1).trim(), (x, y) -> x + ", " + y);
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        if (head) {
            return new Answer(code, headers, "", true);
        }
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            for (int n = Integer.parseInt(line(in).split(";")[0].trim(), 16); n > 0; n = Integer.parseInt(line(in).split(";")[0].trim(), 16)) {
                body.write(in.readNBytes(n));
                line(in);
            }
            line(in);
        } else if (headers.containsKey("content-length")) {
            body.write(in.readNBytes(Integer.parseInt(headers.get("content-length"))));
        } else if (code >= 200 && code != 204 && code != 304) {
            body.write(in.readAllBytes());
        }
        return new Answer(code, headers, body.toString(StandardCharsets.UTF_8), true);
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        for (int c = in.read(); c != -1; c = in.read()) {
            if (c == '\n') {
                return b.toString().replaceAll("\r$", "");
            }
            b.append((char) c);
        }
        return b.length() == 0 ? null : b.toString();
    }
}
