package org.cogwork.api.tracking;

import java.time.Instant;
import java.util.Map;

/**
 * A tracked run.
 *
 * @param id 32 hex characters (MLflow's run_uuid)
 * @param end {@code null} while running
 * @param artifactUri where the run's artifacts live in the artifact store
 * @param lifecycleStage {@code active} or {@code deleted}
 * @param metrics the latest value of each metric
 */
public record Run(String id, String experimentId, String name, RunStatus status, Instant start, Instant end,
                  String artifactUri, String lifecycleStage, Map<String, String> params, Map<String, String> tags,
                  Map<String, MetricPoint> metrics) {
    public Run {
        params = params == null ? Map.of() : Map.copyOf(params);
        tags = tags == null ? Map.of() : Map.copyOf(tags);
        metrics = metrics == null ? Map.of() : Map.copyOf(metrics);
    }
}
