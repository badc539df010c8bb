package org.cogwork.api.tracking;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.cogwork.api.problem.InvalidFieldException;
import org.cogwork.api.problem.NotFoundException;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Experiments, runs, parameters, metric series, tags and artifacts, kept in the metadata store. Implemented by
 * the platform; the MLflow-compatible REST API and the training jobs use it. Thread-safe; every method is
 * durable (committed) when it returns.
 *
 * <p>Errors: an unknown id throws {@link NotFoundException} (a 404 at the REST edge); an invalid name,
 * key or value throws {@link InvalidFieldException} naming the field (a 400).
 */
@ProviderType
public interface ExperimentTracker {
    String DEFAULT_EXPERIMENT = "Default";

    /** @throws InvalidFieldException when the name is blank or taken */
    Experiment createExperiment(String name, Map<String, String> tags);

    Optional<Experiment> experiment(String id);

    Optional<Experiment> experimentByName(String name);

    /** The id of the experiment with this name, creating it when absent. */
    String experimentId(String name);

    Page<Experiment> experiments(String nameFilter, boolean includeDeleted, int maxResults, String pageToken);

    void deleteExperiment(String id);

    void restoreExperiment(String id);

    void setExperimentTag(String experimentId, String key, String value);

    /**
     * Starts a run.
     *
     * @param startTime milliseconds since the epoch, or {@code null} for now
     */
    Run createRun(String experimentId, String runName, Long startTime, Map<String, String> tags);

    /** @param endTime milliseconds since the epoch, or {@code null} to leave it */
    Run updateRun(String runId, RunStatus status, Long endTime, String runName);

    /** Ends a run now with {@code status}. */
    default void endRun(String runId, RunStatus status) {
        updateRun(runId, status, System.currentTimeMillis(), null);
    }

    Optional<Run> run(String runId);

    void deleteRun(String runId);

    void restoreRun(String runId);

    /** @throws InvalidFieldException when the key already has a different value (parameters are immutable) */
    void logParam(String runId, String key, String value);

    /** @throws InvalidFieldException when the value is NaN-free but infinite, or the key is invalid */
    void logMetric(String runId, MetricPoint point);

    /** Metrics, parameters and tags in one transaction: all or nothing. */
    void logBatch(String runId, List<MetricPoint> metrics, Map<String, String> params, Map<String, String> tags);

    void setTag(String runId, String key, String value);

    void deleteTag(String runId, String key);

    List<MetricPoint> metricHistory(String runId, String key);

    Page<Run> searchRuns(RunQuery query);

    /** Stores an artifact of the run under {@code path} (e.g. {@code model/model.zip}); returns its URI. */
    String logArtifact(String runId, String path, InputStream content) throws IOException;

    /** The artifacts of a run: path → size in bytes. */
    Map<String, Long> listArtifacts(String runId);

    /** Opens a run's artifact, verifying its checksum. @throws IOException when it is missing or corrupt */
    InputStream openArtifact(String runId, String path) throws IOException;
}
