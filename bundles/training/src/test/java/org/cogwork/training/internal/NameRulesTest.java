package org.cogwork.training.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.cogwork.api.connector.DataSource;
import org.cogwork.api.engine.Engine;
import org.cogwork.api.problem.ApiException;
import org.cogwork.api.training.TrainingJob;
import org.cogwork.connector.file.FileSource;
import org.cogwork.connector.file.FileSourceConfig;
import org.cogwork.engine.baseline.BaselineEngine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;
import org.osgi.util.converter.Converters;

/**
 * Two engines with one name and two data sources with one id (two connector bundles serving one kind publish a
 * source for every configuration of it): training uses the first registered, whatever order SCR binds them in,
 * and the next one when it leaves (NamedServices' rule, the same in serving, sources and the runtime's reports).
 */
class NameRulesTest {
    @TempDir
    Path tmp;

    @SuppressWarnings("unchecked")
    static <S> ServiceReference<S> ref(String property, String name, long serviceId) {
        Map<String, Object> props = Map.of(property, name, Constants.SERVICE_ID, serviceId);
        return (ServiceReference<S>) Proxy.newProxyInstance(NameRulesTest.class.getClassLoader(),
                new Class<?>[] {ServiceReference.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "getProperty" -> props.get((String) args[0]);
                    case "getBundle" -> null;
                    case "equals" -> proxy == args[0];
                    case "hashCode" -> System.identityHashCode(proxy);
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    static FileSource source(String id, Path folder) {
        return new FileSource(Converters.standardConverter().convert(Map.of("cogwork.source.id", id, "path", folder.toString()))
                .to(FileSourceConfig.class));
    }

    static final String SPEC = """
            {"source": "credit", "dataset": "credit_data.csv", "target": "Status",
             "engine": "baseline", "algorithm": "majority", "seed": 1}""";

    @SuppressWarnings("unchecked")
    static String engineVersion(TrainingJob job) {
        return String.valueOf(((Map<String, Object>) FixedTestSetTest.result(job).provenance().get("engine")).get("version"));
    }

    @Test
    void theFirstProviderOfANameIsUsedAndTheNextTakesOverWhenItLeaves() throws Exception {
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        try (Harness h = new Harness(tmp.resolve("h"), 1)) {
            ServiceReference<Engine> original = ref(Engine.ENGINE_NAME, "baseline", 12);
            ServiceReference<Engine> later = ref(Engine.ENGINE_NAME, "baseline", 90);
            ServiceReference<DataSource> files = ref(DataSource.SOURCE_ID, "credit", 13);
            ServiceReference<DataSource> otherConnector = ref(DataSource.SOURCE_ID, "credit", 91);
            // SCR may bind the later one first: the service ids decide, not the order of binding
            h.manager.bindEngine(later, new BaselineEngine("9.9.9"));
            Engine first = new BaselineEngine("1.0.0");
            h.manager.bindEngine(original, first);
            h.manager.bindSource(otherConnector, source("credit", empty));
            h.manager.bindSource(files, source("credit", Harness.DATA));

            assertEquals("1.0.0", engineVersion(h.run(SPEC, Duration.ofSeconds(60))), "the first registered engine trains");

            h.manager.unbindEngine(original, first);
            assertEquals("9.9.9", engineVersion(h.run(SPEC, Duration.ofSeconds(60))), "the next one takes the name over");

            h.manager.unbindSource(files);
            ApiException e = assertThrows(ApiException.class, () -> h.submit(SPEC));
            assertEquals("dataset", e.field(), "the other connector's source (an empty folder) answers for 'credit' now: " + e.getMessage());

            h.manager.unbindSource(otherConnector);
            e = assertThrows(ApiException.class, () -> h.submit(SPEC));
            assertEquals("source", e.field(), e.getMessage());
        }
    }
}
