package org.cogwork.api.serving;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/** Read access to logged predictions, for monitoring, the console and the active-learning loop. */
@ProviderType
public interface PredictionLog {
    Optional<PredictionRecord> find(String predictionId);

    /** Predictions of a model logged in {@code [from, to)}, oldest first, at most {@code limit}. */
    List<PredictionRecord> list(String modelName, Instant from, Instant to, int limit);
}
