package org.cogwork.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A cold load of a slow model (the faulty test engine's {@code slow-load}: loading takes 3 s) does not hold up the
 * predictions of a model that is already loaded: serving loads each version through its own future, with no lock
 * shared between versions. Measured: the loaded model's latencies while the other loads, beside its latencies before.
 */
class ColdLoadTest {
    private static final int LOAD_SECONDS = 3;
    private static final byte[] ROW = TwoNodesTest.ROW;

    @TempDir
    Path tmp;

    @Test
    void aSlowColdLoadDoesNotDelayALoadedModel() throws Exception {
        try (Cogwork cogwork = Cogwork.fresh(tmp)) {
            cogwork.start();
            Files.copy(Cogwork.testBundle("org.cogwork.itests.faulty-engine"), cogwork.home.resolve("deploy/faulty.jar"));
            cogwork.await("/api/engines", e -> e.toString().contains("slow-load"), java.time.Duration.ofSeconds(30));
            FileSourceTest.addSharedData(cogwork);
            train(cogwork, ServingTest.SPEC.formatted("logistic", "production"));
            train(cogwork, """
                    {"source": "data", "dataset": "credit_data.csv", "target": "Status", "engine": "faulty",
                     "algorithm": "slow-load", "hyperparameters": {"loadSeconds": %d}, "seed": 1,
                     "register": {"model": "slow", "alias": "production"}}""".formatted(LOAD_SECONDS));

            for (int i = 0; i < 200; i++) { // loaded and warm
                predict(cogwork, "credit-risk");
            }
            List<Long> before = latencies(cogwork, 200);

            long t0 = System.nanoTime();
            CompletableFuture<Integer> cold = CompletableFuture.supplyAsync(() -> {
                try {
                    return cogwork.post("/api/models/slow/predict", ROW, "application/json").status();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            Thread.sleep(200); // the cold load is under way
            List<Long> during = new ArrayList<>();
            while (!cold.isDone()) {
                during.addAll(latencies(cogwork, 10));
            }
            long coldMillis = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(200, cold.get());
            assertTrue(coldMillis >= LOAD_SECONDS * 1000L, "the slow model took " + coldMillis + " ms to load");
            assertTrue(during.size() >= 20, "only " + during.size() + " predictions during the cold load");
            System.out.printf("a %d ms cold load: the loaded model answered %d requests meanwhile, p50 %.2f ms, max %.2f ms"
                            + " (before: p50 %.2f ms, max %.2f ms)%n", coldMillis, during.size(), pct(during, 50) / 1e6,
                    pct(during, 100) / 1e6, pct(before, 50) / 1e6, pct(before, 100) / 1e6);
            assertTrue(pct(during, 100) < 1_000_000_000L, "a request waited " + pct(during, 100) / 1_000_000 + " ms for another model's load");
        }
    }

    private static void train(Cogwork cogwork, String spec) throws Exception {
        Cogwork.Response submitted = TrainingApiTest.submitTo(cogwork, spec);
        assertEquals(202, submitted.status(), submitted.body());
        assertEquals("SUCCEEDED", TrainingApiTest.awaitDone(cogwork, submitted.json().path("id").asText()).path("status").asText());
    }

    private static void predict(Cogwork cogwork, String model) throws Exception {
        Cogwork.Response r = cogwork.post("/api/models/" + model + "/predict", ROW, "application/json");
        assertEquals(200, r.status(), r.body());
    }

    private static List<Long> latencies(Cogwork cogwork, int n) throws Exception {
        List<Long> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            long t = System.nanoTime();
            predict(cogwork, "credit-risk");
            out.add(System.nanoTime() - t);
        }
        return out;
    }

    private static long pct(List<Long> nanos, int p) {
        List<Long> s = new ArrayList<>(nanos);
        Collections.sort(s);
        return s.get(Math.min(s.size() - 1, (int) Math.ceil(p / 100.0 * s.size()) - 1));
    }
}
