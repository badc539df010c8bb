package org.cogwork.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /metrics} of the real runtime: Prometheus' own checker ({@code promtool check metrics}) accepts it, its
 * counters agree with the requests this test sent and with {@code /api/serving}, and only admins and {@code metrics}
 * tokens may read it.
 */
class MetricsTest {
    @TempDir
    Path tmp;

    static final String MODEL = "metrics-credit";
    static final int ONE_ROW = 23;
    static final int FOUR_ROWS = 7;
    static final int BAD = 2;

    @Test
    void metricsParseAgreeWithTheRequestsSentAndAreForAdminsAndMetricsTokensOnly() throws Exception {
        try (Cogwork c = Cogwork.fresh(tmp).start()) {
            FileSourceTest.addSharedData(c);
            Cogwork.Response job = TrainingApiTest.submitTo(c, ServingTest.SPEC.replace("credit-risk", MODEL).formatted("logistic", "production"));
            assertEquals(202, job.status(), job.body());
            assertEquals("SUCCEEDED", TrainingApiTest.awaitDone(c, job.json().path("id").asText()).path("status").asText());

            for (int i = 0; i < ONE_ROW; i++) {
                assertEquals(200, predict(c, 1, true).status());
            }
            for (int i = 0; i < FOUR_ROWS; i++) {
                assertEquals(200, predict(c, 4, true).status());
            }
            for (int i = 0; i < BAD; i++) {
                Cogwork.Response bad = predict(c, 1, false);
                assertEquals(400, bad.status(), bad.body());
            }
            int requests = ONE_ROW + FOUR_ROWS + BAD;
            int rows = ONE_ROW + 4 * FOUR_ROWS;
            // the log stores in the background: wait until everything sent is stored, then read both views
            c.await("/api/serving", s -> s.path("log").path("written").asLong() >= rows && s.path("log").path("queued").asLong() == 0,
                    Duration.ofSeconds(20));

            HttpResponse<String> scrape = scrape(c, Cogwork.ADMIN);
            assertEquals(200, scrape.statusCode(), scrape.body());
            assertEquals("text/plain; version=0.0.4; charset=utf-8", scrape.headers().firstValue("Content-Type").orElse(""));
            String text = scrape.body();
            promtoolAccepts(text);

            String v = "model=\"" + MODEL + "\",version=\"1\"";
            assertEquals(requests, value(text, "cogwork_predict_requests_total{" + v + "}"), "every predict request sent");
            assertEquals(BAD, value(text, "cogwork_predict_errors_total{" + v + "}"), "the two with a missing feature");
            assertEquals(rows, value(text, "cogwork_predict_rows_total{" + v + "}"));
            assertEquals(ONE_ROW + FOUR_ROWS, value(text, "cogwork_predict_latency_seconds_count{" + v + "}"), "successful predictions timed");
            assertEquals(ONE_ROW + FOUR_ROWS, value(text, "cogwork_predict_latency_seconds_bucket{" + v + ",le=\"+Inf\"}"));
            assertTrue(value(text, "cogwork_prediction_log_stored_total") >= rows, text);
            assertEquals(0, value(text, "cogwork_prediction_log_queued"));
            assertEquals(0, value(text, "cogwork_prediction_log_lag_seconds"));
            assertEquals(ONE_ROW + FOUR_ROWS, value(text, "http_server_requests_seconds_count{method=\"POST\",outcome=\"SUCCESS\",status=\"200\",uri=\"/api/models/{name}/predict\"}"));
            assertEquals(BAD, value(text, "http_server_requests_seconds_count{method=\"POST\",outcome=\"CLIENT_ERROR\",status=\"400\",uri=\"/api/models/{name}/predict\"}"));
            for (String jvm : new String[] {"jvm_memory_used_bytes{", "jvm_threads_live_threads", "jvm_gc_memory_allocated_bytes_total",
                    "jvm_classes_loaded_classes", "process_cpu_usage", "process_uptime_seconds"}) {
                assertTrue(text.contains("\n" + jvm), "JVM meter " + jvm + " is exported");
            }

            // /api/serving reads the same meters
            JsonNode version = c.get("/api/serving").json().path("versions").path(MODEL + "@1");
            assertEquals(requests, version.path("requests").asLong(), version.toString());
            assertEquals(BAD, version.path("errors").asLong(), version.toString());
            assertEquals(rows, version.path("rows").asLong(), version.toString());
            assertTrue(version.path("p50Micros").asLong() > 0 && version.path("p99Micros").asLong() >= version.path("p50Micros").asLong(),
                    version.toString());

            // who may read it: admins and metrics tokens; nobody without credentials, no other role
            assertEquals(401, scrape(c, null).statusCode());
            assertEquals(201, c.as(Cogwork.ADMIN).post("/api/users",
                    "{\"name\": \"ivy\", \"role\": \"integrator\", \"password\": \"pw-ivy-secret-1\"}").status());
            assertEquals(201, c.as(Cogwork.ADMIN).post("/api/users",
                    "{\"name\": \"dana\", \"role\": \"data-scientist\", \"password\": \"pw-dana-secret-1\"}").status());
            assertEquals(403, scrape(c, Cogwork.basic("ivy", "pw-ivy-secret-1")).statusCode(), "an integrator may not read metrics");
            assertEquals(403, scrape(c, Cogwork.basic("dana", "pw-dana-secret-1")).statusCode(), "a data scientist may not read metrics");
            Cogwork.Response made = c.as(Cogwork.ADMIN).post("/api/tokens", "{\"name\": \"prometheus\", \"role\": \"metrics\"}");
            assertEquals(201, made.status(), made.body());
            String token = made.json().path("token").asText();
            HttpResponse<String> byToken = scrape(c, Cogwork.bearer(token));
            assertEquals(200, byToken.statusCode(), byToken.body());
            assertTrue(byToken.body().contains("cogwork_predict_requests_total{" + v + "} " + requests), "the token reads the same counters");
            assertEquals(403, c.as(Cogwork.bearer(token)).get("/api/serving").status(), "a metrics token reads /metrics only");
            assertEquals(403, c.as(Cogwork.bearer(token)).post("/api/models/" + MODEL + "/predict", "{\"rows\": [{}]}").status());
            assertTrue(!c.get("/api/tokens").body().contains(token.substring(token.length() - 20)), "the token's secret is never shown again");
            assertEquals(401, scrape(c, Cogwork.bearer(token + "x")).statusCode(), "a wrong token");
        }
    }

    private static Cogwork.Response predict(Cogwork c, int rowCount, boolean complete) throws Exception {
        ObjectNode body = Cogwork.JSON.createObjectNode();
        ArrayNode rows = body.putArray("rows");
        for (int i = 0; i < rowCount; i++) {
            ObjectNode row = rows.addObject();
            row.put("Seniority", 9 + i).put("Home", "rent").put("Time", 60).put("Age", 30).put("Marital", "married")
                    .put("Records", "no").put("Job", "freelance").put("Expenses", 73).put("Assets", 0)
                    .put("Debt", 0).put("Amount", 800).put("Price", 846);
            if (complete) {
                row.put("Income", 129);
            }
        }
        return c.post("/api/models/" + MODEL + "/predict", Cogwork.JSON.writeValueAsBytes(body), "application/json");
    }

    private static HttpResponse<String> scrape(Cogwork c, String authorization) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + c.port + "/metrics")).timeout(Duration.ofSeconds(30));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The sample's value; fails naming the sample when it is missing. */
    private static long value(String text, String sample) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(sample) + " (\\S+)$").matcher(text);
        if (!m.find()) {
            fail("no sample " + sample + " in /metrics:\n" + text.lines().filter(l -> l.startsWith(sample.replaceAll("[{ ].*", "")))
                    .reduce("", (a, b) -> a + b + "\n"));
        }
        return Math.round(Double.parseDouble(m.group(1)));
    }

    /** {@code promtool check metrics} (the Debian package prometheus; .ci/run installs it) accepts the text. */
    private void promtoolAccepts(String text) throws Exception {
        String promtool = null;
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, "promtool"))) {
                promtool = Path.of(dir, "promtool").toString();
                break;
            }
        }
        if (promtool == null) {
            if ("true".equals(System.getenv("CI"))) {
                fail("promtool is not installed (apt-get install prometheus): CI must check the metrics format");
            }
            Assumptions.abort("promtool is not installed (apt-get install prometheus)");
        }
        Path file = tmp.resolve("metrics.txt");
        Files.writeString(file, text, StandardCharsets.UTF_8);
        Process p = new ProcessBuilder(promtool, "check", "metrics").redirectInput(file.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "promtool did not finish");
        assertEquals(0, p.exitValue(), "promtool check metrics found problems:\n" + out);
    }
}
