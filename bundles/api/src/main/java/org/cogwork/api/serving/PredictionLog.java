package org.cogwork.api.serving;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The prediction log in the metadata store: serving appends to it off the request path; monitoring, the
 * console and the active-learning loop read it. Implemented by the platform. Thread-safe.
 */
@ProviderType
public interface PredictionLog {
    /** Appends records in one transaction; durable when it returns. Ids must be unique. */
    void append(List<PredictionRecord> records);

    Optional<PredictionRecord> find(String predictionId);

    /** Predictions of a model logged in {@code [from, to)}, oldest first, at most {@code limit}. */
    List<PredictionRecord> list(String modelName, Instant from, Instant to, int limit);

    /** How many predictions of a model (of one version, or all when {@code version} is {@code null}) are logged. */
    long count(String modelName, Integer version);
}
