package org.cogwork.serving.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import org.cogwork.api.problem.InvalidFieldException;
import org.cogwork.runtime.rest.Json;

/**
 * How serving treats one model's requests, set by a data scientist and kept as the model tag {@value #TAG} (so
 * every node sharing the metadata store applies it):
 *
 * <ul>
 *   <li>{@code ignoreUnknownColumns}: columns the model does not take are ignored instead of refused (strict is the
 *   default: a misspelled column is a 400 naming it, not a silently missing feature);</li>
 *   <li>{@code maxBatch} and {@code maxDelayMicros}: dynamic batching. Concurrent requests for the same version are
 *   grouped into one engine call: a batch takes requests while it has fewer than {@code maxBatch} rows (a
 *   multi-row request may take it past that; one request is never split), waiting at most {@code maxDelayMicros} for
 *   company after the first request of a batch arrives; {@code maxBatch} 1 (the default) turns it off.</li>
 *   <li>{@code concurrentBatches}: how many of the model's batches may run at once on a node; left out, one per core
 *   of the node. One is best where an engine call is bound by memory (a large network whose weights do not fit in the
 *   cache: the batch then holds every waiting request while the other cores read and answer HTTP); measured in the
 *   README ("Dynamic batching").</li>
 * </ul>
 *
 * <pre>{@code PUT /api/models/credit-risk/serving-options {"maxBatch": 64, "maxDelayMicros": 500}}</pre>
 *
 * @param ignoreUnknownColumns default false
 * @param maxBatch 1 to 10,000 rows, default 1 (no batching)
 * @param maxDelayMicros 0 to 100,000, default 0
 * @param concurrentBatches 1 to 256, default null: one per core of the node that serves
 */
public record ServingOptions(Boolean ignoreUnknownColumns, Integer maxBatch, Integer maxDelayMicros, Integer concurrentBatches) {
    static final String TAG = "cogwork.serving";
    static final ServingOptions DEFAULT = new ServingOptions(false, 1, 0, null);

    public ServingOptions {
        ignoreUnknownColumns = ignoreUnknownColumns != null && ignoreUnknownColumns;
        maxBatch = maxBatch == null ? 1 : maxBatch;
        maxDelayMicros = maxDelayMicros == null ? 0 : maxDelayMicros;
        if (maxBatch < 1 || maxBatch > 10_000) {
            throw new InvalidFieldException("maxBatch", "maxBatch: must be from 1 (no batching) to 10000 rows, was " + maxBatch);
        }
        if (maxDelayMicros < 0 || maxDelayMicros > 100_000) {
            throw new InvalidFieldException("maxDelayMicros", "maxDelayMicros: must be from 0 to 100000, was " + maxDelayMicros);
        }
        if (concurrentBatches != null && (concurrentBatches < 1 || concurrentBatches > 256)) {
            throw new InvalidFieldException("concurrentBatches", "concurrentBatches: must be from 1 to 256 (or left out: one per core), was " + concurrentBatches);
        }
    }

    /** How many batches may run at once here: as set, or one per core. */
    int batchSlots() {
        return concurrentBatches != null ? concurrentBatches : Math.max(1, Runtime.getRuntime().availableProcessors());
    }

    /** Whether concurrent requests are grouped into one engine call. */
    boolean batching() {
        return maxBatch > 1;
    }

    /** The options a model's tag holds; a tag this version cannot read (written by a newer one) means the defaults. */
    static ServingOptions fromTag(String value) {
        if (value == null || value.isBlank()) {
            return DEFAULT;
        }
        try {
            return Json.MAPPER.readValue(value, ServingOptions.class);
        } catch (JsonProcessingException | InvalidFieldException e) {
            return DEFAULT;
        }
    }

    String toJson() {
        try {
            return Json.MAPPER.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
