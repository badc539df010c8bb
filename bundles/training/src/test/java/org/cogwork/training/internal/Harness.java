package org.cogwork.training.internal;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.cogwork.api.engine.Engine;
import org.cogwork.api.training.JobStatus;
import org.cogwork.connector.file.FileSource;
import org.cogwork.connector.file.FileSourceConfig;
import org.cogwork.features.internal.BuiltIn;
import org.osgi.util.converter.Converters;

/** A training manager built outside OSGi over the shared data folder, as its DS component would be. */
final class Harness implements AutoCloseable {
    static final Path DATA = Path.of("../../../shared/data").toAbsolutePath().normalize();
    final TrainingManager manager;

    Harness(Path artifacts, int threads, Engine... engines) {
        TrainingConfig config = Converters.standardConverter().convert(Map.of("threads", threads, "queue", 8,
                "time.limit.seconds", 600, "stop.grace.seconds", 1)).to(TrainingConfig.class);
        manager = new TrainingManager(config, BuiltIn.pipelineService(), artifacts, Map.of("org.cogwork.training", "test"));
        manager.addSource(new FileSource(Converters.standardConverter().convert(
                Map.of("cogwork.source.id", "data", "path", DATA.toString())).to(FileSourceConfig.class)));
        for (Engine e : engines) {
            manager.addEngine(e);
        }
    }

    /** Submits and waits for the job to end; returns its view. */
    Map<String, Object> run(String json, Duration timeout) throws Exception {
        String id = manager.submitJson(org.cogwork.runtime.rest.Json.MAPPER.readTree(json));
        return await(id, timeout);
    }

    Map<String, Object> await(String id, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (manager.status(id).orElseThrow().isFinal()) {
                return manager.job(id).orElseThrow();
            }
            Thread.sleep(20);
        }
        fail("job " + id + " did not finish within " + timeout + ": " + manager.job(id));
        return null;
    }

    static JobStatus status(Map<String, Object> job) {
        return (JobStatus) job.get("status");
    }

    @Override
    public void close() {
        manager.close();
    }
}
