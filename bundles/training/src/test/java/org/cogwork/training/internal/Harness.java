package org.cogwork.training.internal;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.cogwork.api.engine.Engine;
import org.cogwork.api.training.JobStatus;
import org.cogwork.api.training.TrainingJob;
import org.cogwork.connector.file.FileSource;
import org.cogwork.connector.file.FileSourceConfig;
import org.cogwork.features.internal.BuiltIn;
import org.osgi.util.converter.Converters;
import org.cogwork.persistence.Database;
import org.cogwork.persistence.internal.MetadataStore;
import org.cogwork.persistence.internal.MigrationSource;

/** A training manager built outside OSGi over the shared data folder, as its DS component would be. */
final class Harness implements AutoCloseable {
    static final Path DATA = Path.of("../../../shared/data").toAbsolutePath().normalize();
    final TrainingManager manager;
    final MetadataStore store;

    /** A store (embedded H2) in {@code dir} with the training bundle's migrations, as its Database service would be. */
    static MetadataStore store(Path dir) {
        return new MetadataStore(MetadataStore.settings("", "", "", 4), dir);
    }

    static Database trainingDb(MetadataStore store) {
        return store.database("org.cogwork.training", MigrationSource.of(TrainingManager.class));
    }

    Harness(Path artifacts, int threads, Engine... engines) {
        this(artifacts, Map.of("threads", threads), engines);
    }

    /** With settings of {@link TrainingConfig} (as its configuration file would give them) over the harness's own. */
    Harness(Path artifacts, Map<String, Object> settings, Engine... engines) {
        Map<String, Object> all = new java.util.HashMap<>(Map.of("queue", 8, "time.limit.seconds", 600, "stop.grace.seconds", 1));
        all.putAll(settings);
        TrainingConfig config = Converters.standardConverter().convert(all).to(TrainingConfig.class);
        store = store(artifacts.resolve("metadata-store"));
        manager = new TrainingManager(config, BuiltIn.pipelineService(), artifacts, Map.of("org.cogwork.training", "test"),
                trainingDb(store), "test-node");
        manager.addSource(new FileSource(Converters.standardConverter().convert(
                Map.of("cogwork.source.id", "data", "path", DATA.toString())).to(FileSourceConfig.class)));
        for (Engine e : engines) {
            manager.addEngine(e);
        }
    }

    /** Who the harness submits as. */
    static final String USER = "ada";

    /** Binds {@code json} as the REST layer binds a body and submits it as {@link #USER}; returns the job id. */
    String submit(String json) throws Exception {
        return manager.submit(TrainingManager.bind(org.cogwork.runtime.rest.Json.MAPPER.readTree(json)), USER);
    }

    /** Submits and waits for the job to end; returns its view. */
    TrainingJob run(String json, Duration timeout) throws Exception {
        return await(submit(json), timeout);
    }

    TrainingJob await(String id, Duration timeout) throws Exception {
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

    static JobStatus status(TrainingJob job) {
        return job.status();
    }

    @Override
    public void close() {
        manager.close();
        store.close();
    }
}
