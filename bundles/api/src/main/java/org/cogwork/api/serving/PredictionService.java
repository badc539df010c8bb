package org.cogwork.api.serving;

import java.util.List;
import java.util.Map;
import org.osgi.annotation.versioning.ProviderType;

/** Predicts with registered models, applying traffic policies and logging every prediction. Thread-safe. */
@ProviderType
public interface PredictionService {
    /**
     * @param modelName registered model name
     * @param aliasOrNull alias to resolve, {@code null} for {@code production}
     * @param versionOrNull an explicit version, overriding the alias
     * @param callerKey key for sticky A/B assignment, may be {@code null}
     * @param rows column name → value, one map per row
     * @throws org.cogwork.api.problem.InvalidFieldException naming the field when a row is invalid
     * @throws org.cogwork.api.problem.NotFoundException when the model, alias or version does not exist
     */
    PredictionResponse predict(String modelName, String aliasOrNull, Integer versionOrNull, String callerKey,
                               List<Map<String, Object>> rows);
}
