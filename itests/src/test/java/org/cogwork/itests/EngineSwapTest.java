package org.cogwork.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Replacing an engine bundle while predictions run on its model loses no request. */
class EngineSwapTest {
    @TempDir
    Path tmp;

    @Test
    void engineBundleUpdatedUnderLoad() throws Exception {
        try (Cogwork cogwork = Cogwork.fresh(tmp).start()) {
            Path deployed = cogwork.home.resolve("deploy/baseline.jar");
            Files.copy(Cogwork.testBundle("org.cogwork.engine.baseline"), deployed);
            cogwork.await("/api/engines", e -> HotDeployTest.engine(e, "baseline") != null, Duration.ofSeconds(15));
            FileSourceTest.addSharedData(cogwork);
            Cogwork.Response r = TrainingApiTest.submitTo(cogwork, """
                    {"source": "data", "dataset": "concrete.csv", "target": "compressive_strength",
                     "engine": "baseline", "algorithm": "mean", "seed": 1,
                     "register": {"model": "strength", "alias": "production"}}""");
            assertEquals(202, r.status(), r.body());
            assertEquals("SUCCEEDED", TrainingApiTest.awaitDone(cogwork, r.json().path("id").asText()).path("status").asText());

            byte[] body = ("{\"rows\": [{\"cement\": 540, \"blast_furnace_slag\": 0, \"fly_ash\": 0, \"water\": 162, "
                    + "\"superplasticizer\": 2.5, \"coarse_aggregate\": 1040, \"fine_aggregate\": 676, \"age\": 28}]}")
                    .getBytes(StandardCharsets.UTF_8);
            Cogwork.Response first = cogwork.post("/api/models/strength/predict", body, "application/json");
            assertEquals(200, first.status(), first.body());
            double mean = first.json().path("predictions").get(0).path("value").asDouble();

            AtomicBoolean running = new AtomicBoolean(true);
            AtomicInteger ok = new AtomicInteger();
            List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
            ExecutorService pool = Executors.newFixedThreadPool(3);
            List<Future<?>> clients = new ArrayList<>();
            for (int c = 0; c < 3; c++) {
                clients.add(pool.submit(() -> {
                    while (running.get()) {
                        try {
                            Cogwork.Response p = cogwork.post("/api/models/strength/predict", body, "application/json");
                            if (p.status() == 200 && p.json().path("predictions").get(0).path("value").asDouble() == mean) {
                                ok.incrementAndGet();
                            } else {
                                failures.add(p.status() + " " + p.body());
                            }
                        } catch (Exception e) {
                            failures.add(e.toString());
                        }
                    }
                    return null;
                }));
            }
            Thread.sleep(500);
            Path newer = Jars.withHeaders(Cogwork.testBundle("org.cogwork.engine.baseline"), tmp.resolve("newer.jar"),
                    Map.of("Bundle-Version", "0.1.1"));
            Files.copy(newer, deployed, StandardCopyOption.REPLACE_EXISTING);
            JsonNode engines = cogwork.await("/api/engines", e -> {
                JsonNode b = HotDeployTest.engine(e, "baseline");
                return b != null && "0.1.1".equals(b.path("version").asText());
            }, Duration.ofSeconds(10));
            assertTrue(engines.size() >= 1);
            Thread.sleep(1000);
            running.set(false);
            for (Future<?> f : clients) {
                f.get();
            }
            pool.shutdown();
            assertEquals(List.of(), failures, "requests lost while the engine bundle was replaced");
            assertTrue(ok.get() > 50, "requests served during the swap: " + ok.get());
        }
    }
}
