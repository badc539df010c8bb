package org.cogwork.api.tracking;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Records experiments and runs in the metadata store. Implemented by the platform only. Thread-safe; every
 * method is durable when it returns.
 */
@ProviderType
public interface ExperimentTracker {
    /** The id of the experiment with this name, creating it when absent. */
    String experiment(String name);

    Run startRun(String experimentId, String runName, Map<String, String> tags);

    void logParam(String runId, String key, String value);

    void logMetric(String runId, MetricPoint point);

    void endRun(String runId, RunStatus status);

    Optional<Run> run(String runId);

    List<MetricPoint> metricHistory(String runId, String key);
}
