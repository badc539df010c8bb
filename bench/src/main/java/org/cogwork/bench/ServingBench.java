package org.cogwork.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.cogwork.engine.djl.DjlEngine;
import org.cogwork.engine.tribuo.TribuoEngine;
import org.cogwork.features.internal.BuiltIn;
import org.cogwork.serving.internal.LoadedModel;

/**
 * Serving figures for a model on credit_data.csv (Tribuo logistic regression, or a DJL MLP with ENGINE=djl), against a running Cogwork (started by
 * {@code bench/serving-bench.sh}): requests/s and p50/p99 latency for single-row and 100-row requests over
 * HTTP on loopback, and the same prediction called in-process (the model.zip loaded outside the server) as
 * the limit. Args: {@code <port> <training job id>}.
 */
public final class ServingBench {
    /** Credentials: the admin for set-up calls, an integrator's API token (Bearer) for predictions. */
    private static final String ADMIN_AUTH = System.getProperty("admin.auth", "");
    private static final String PREDICT_AUTH = System.getProperty("predict.auth", "");

    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newHttpClient();

    private ServingBench() {
    }

    public static void main(String[] args) throws Exception {
        String base = "http://127.0.0.1:" + args[0];
        String job = args[1];
        int seconds = Integer.getInteger("seconds", 10);
        int clients = Integer.getInteger("clients", 4);
        List<Map<String, Object>> rows = rows(base);
        System.out.printf("Cogwork serving benchmark: credit-risk (" + System.getProperty("model.label", "Tribuo logistic")
                + "), %d client threads, %d s per scenario, 2 cores%n",
                clients, seconds);
        System.out.printf("%-34s %10s %10s %10s %10s%n", "scenario", "requests", "req/s", "p50 ms", "p99 ms");
        for (int batch : new int[] {1, 100}) {
            byte[] body = body(rows.subList(0, batch));
            run("HTTP, " + batch + " row(s), 1 client", base, body, 1, seconds);
            run("HTTP, " + batch + " row(s), " + clients + " clients", base, body, clients, seconds);
        }
        HttpResponse<byte[]> zip = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/api/trainings/" + job + "/artifact")).header("Authorization", ADMIN_AUTH).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        try (LoadedModel model = LoadedModel.load(new ByteArrayInputStream(zip.body()), Map.of("tribuo",
                (org.cogwork.api.engine.Engine) new TribuoEngine("bench"), "djl", new DjlEngine("bench"))::get, BuiltIn.pipelineService())) {
            for (int batch : new int[] {1, 100}) {
                List<Map<String, Object>> input = rows.subList(0, batch);
                List<Long> lat = new ArrayList<>();
                long end = System.nanoTime() + seconds * 1_000_000_000L;
                while (System.nanoTime() < end) {
                    long t0 = System.nanoTime();
                    model.predict(input);
                    lat.add(System.nanoTime() - t0);
                }
                report("in-process, " + batch + " row(s)", lat, seconds);
            }
        }
    }

    static void run(String name, String base, byte[] body, int clients, int seconds) throws Exception {
        HttpRequest req = HttpRequest.newBuilder(URI.create(base + "/api/models/credit-risk/predict"))
                .header("Content-Type", "application/json").header("Authorization", PREDICT_AUTH).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        for (int i = 0; i < 500; i++) {
            HTTP.send(req, HttpResponse.BodyHandlers.discarding());
        }
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        List<Future<long[]>> futures = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            futures.add(pool.submit(() -> {
                List<Long> lat = new ArrayList<>();
                long failed = 0;
                long lost = 0;
                while (System.nanoTime() < end) {
                    long t0 = System.nanoTime();
                    try {
                        int status = HTTP.send(req, HttpResponse.BodyHandlers.discarding()).statusCode();
                        lat.add(System.nanoTime() - t0);
                        if (status != 200) {
                            failed++;
                        }
                    } catch (java.io.IOException e) {
                        // JDK 17's client can lose the reply of a pooled connection it is taking back (JDK-8336655:
                        // "HTTP/1.1 header parser received no bytes", fixed in later JDKs); counted and shown, the
                        // run goes on (it once ended the whole benchmark)
                        lost++;
                    }
                }
                long[] out = new long[lat.size() + 2];
                out[0] = failed;
                out[1] = lost;
                for (int i = 0; i < lat.size(); i++) {
                    out[i + 2] = lat.get(i);
                }
                return out;
            }));
        }
        List<Long> all = new ArrayList<>();
        long failed = 0;
        long lost = 0;
        try {
            for (Future<long[]> f : futures) {
                long[] r = f.get();
                failed += r[0];
                lost += r[1];
                for (int i = 2; i < r.length; i++) {
                    all.add(r[i]);
                }
            }
        } finally {
            pool.shutdownNow();
        }
        report(name + (failed > 0 ? " (" + failed + " failed!)" : "") + (lost > 0 ? " (" + lost + " client I/O errors)" : ""), all, seconds);
    }

    static void report(String name, List<Long> nanos, int seconds) {
        long[] a = nanos.stream().mapToLong(Long::longValue).toArray();
        Arrays.sort(a);
        System.out.printf("%-34s %10d %10.0f %10.3f %10.3f%n", name, a.length, a.length / (double) seconds,
                a[a.length / 2] / 1e6, a[Math.min(a.length - 1, (int) (a.length * 0.99))] / 1e6);
    }

    static byte[] body(List<Map<String, Object>> rows) throws Exception {
        ObjectNode b = JSON.createObjectNode();
        ArrayNode a = b.putArray("rows");
        rows.forEach(r -> a.add(JSON.valueToTree(r)));
        return JSON.writeValueAsBytes(b);
    }

    /** The first 100 credit rows (without the target) from the running server's data source. */
    static List<Map<String, Object>> rows(String base) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/api/sources/data/datasets/credit_data.csv/query"))
                .header("Content-Type", "application/json").header("Authorization", ADMIN_AUTH).POST(HttpRequest.BodyPublishers.ofString("{\"limit\": 100}")).build(),
                HttpResponse.BodyHandlers.ofString());
        JsonNode page = JSON.readTree(r.body());
        List<String> names = page.path("columns").findValuesAsText("name");
        List<Map<String, Object>> out = new ArrayList<>();
        for (JsonNode row : page.path("rows")) {
            Map<String, Object> m = new LinkedHashMap<>();
            for (int i = 0; i < names.size(); i++) {
                if (!names.get(i).equals("Status")) {
                    m.put(names.get(i), JSON.treeToValue(row.get(i), Object.class));
                }
            }
            out.add(m);
        }
        return out;
    }
}
