package org.cogwork.serving.internal;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.cogwork.api.engine.Prediction;
import org.cogwork.api.serving.PredictionRecord;

/**
 * The predictions of one predict call (or one shadow call) as the log keeps them: one journal line and one row of
 * the store, whatever the number of rows, so a request of 100 rows costs the store one insert, not 100. Row 0's id
 * is {@code id}; with more than one row, {@code id} is a {@link PredictionIds#next base id} and row {@code i}'s id is
 * {@link PredictionIds#of base + i}. A single prediction may carry any id (one appended through
 * {@link org.cogwork.api.serving.PredictionLog#append}, or journaled by an earlier version). The lists are the
 * request's own (not copied): nothing changes them once the request is logged.
 */
record LoggedRequest(String id, long millis, String model, int version, List<Map<String, Object>> inputs,
                     List<Prediction> outputs, long latencyMicros, boolean shadow, String callerKey) {
    LoggedRequest {
        if (inputs.size() != outputs.size() || inputs.isEmpty()) {
            throw new IllegalArgumentException("a logged request needs one output per input, and at least one: "
                    + inputs.size() + " inputs, " + outputs.size() + " outputs");
        }
        if (inputs.size() > PredictionIds.MAX_ROWS) {
            throw new IllegalArgumentException("at most " + PredictionIds.MAX_ROWS + " rows per logged request");
        }
        if (inputs.size() > 1 && PredictionIds.row(id) != 0) {
            throw new IllegalArgumentException("a request of several rows needs a base id (row 0), was '" + id + "'");
        }
    }

    static LoggedRequest of(PredictionRecord r) {
        return new LoggedRequest(r.id(), r.time().toEpochMilli(), r.modelName(), r.version(), List.of(r.input()),
                List.of(r.output()), r.latencyMicros(), r.shadow(), r.callerKey());
    }

    int size() {
        return inputs.size();
    }

    /** Row {@code row}'s prediction id. */
    String id(int row) {
        return row == 0 ? id : PredictionIds.of(UUID.fromString(id), row);
    }

    PredictionRecord record(int row) {
        return new PredictionRecord(id(row), Instant.ofEpochMilli(millis), model, version, inputs.get(row), outputs.get(row),
                latencyMicros, shadow, callerKey);
    }
}
