package org.cogwork.serving.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.cogwork.api.engine.Prediction;
import org.cogwork.api.serving.PredictionRecord;
import org.cogwork.runtime.rest.Json;

/**
 * The predictions of one predict call (or one shadow call) as the log keeps them: one journal line and one row of
 * the store, whatever the number of rows, so a request of 100 rows costs the store one insert, not 100. Row 0's id
 * is {@code id}; with more than one row, {@code id} is a {@link PredictionIds#next base id} and row {@code i}'s id is
 * {@link PredictionIds#of base + i}. A single prediction may carry any id (one appended through
 * {@link org.cogwork.api.serving.PredictionLog#append}, or journaled by an earlier version).
 *
 * <p>{@code input} and {@code output} are the store's JSON texts, written once on the request thread and then
 * copied as they are into the journal line and the store's row: a single prediction's row object and
 * {@code {"value": ..., "scores": {...}}}, or for several rows arrays of those.
 */
record LoggedRequest(String id, long millis, String model, int version, int size, String input, String output,
                     long latencyMicros, boolean shadow, String callerKey) {
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() { };
    private static final TypeReference<List<Map<String, Object>>> LIST = new TypeReference<>() { };

    LoggedRequest {
        if (size < 1 || size > PredictionIds.MAX_ROWS) {
            throw new IllegalArgumentException("a logged request holds 1.." + PredictionIds.MAX_ROWS + " rows, was " + size);
        }
        if (size > 1 && PredictionIds.row(id) != 0) {
            throw new IllegalArgumentException("a request of several rows needs a base id (row 0), was '" + id + "'");
        }
    }

    /**
     * A request's rows and predictions, written as the store's JSON; rows that came as JSON ({@link SentRows}) are kept
     * as their text was sent (a row object, or the array of several), not written again.
     */
    static LoggedRequest of(String id, long millis, String model, int version, List<Map<String, Object>> inputs,
                            List<Prediction> outputs, long latencyMicros, boolean shadow, String callerKey) {
        if (inputs.size() != outputs.size()) {
            throw new IllegalArgumentException("one output per input: " + inputs.size() + " inputs, " + outputs.size() + " outputs");
        }
        String sent = inputs instanceof SentRows rows ? rows.json() : null;
        String input = sent != null ? sent : json(64, inputs, LoggedRequest::writeMap);
        String output = json(48, outputs, (g, p) -> {
            g.writeStartObject();
            g.writeFieldName("value");
            write(g, p.value());
            g.writeFieldName("scores");
            writeMap(g, p.scores());
            g.writeEndObject();
        });
        return new LoggedRequest(id, millis, model, version, inputs.size(), input, output, latencyMicros, shadow, callerKey);
    }

    /** Writes one item of a logged request. */
    private interface ItemWriter<T> {
        void write(JsonGenerator g, T item) throws IOException;
    }

    /** One item as its JSON, several as an array of them. */
    private static <T> String json(int bytesEach, List<T> items, ItemWriter<T> writer) {
        int n = items.size();
        StringWriter text = new StringWriter(bytesEach * n);
        try (JsonGenerator g = Json.MAPPER.createGenerator(text)) {
            if (n != 1) {
                g.writeStartArray();
            }
            for (T item : items) {
                writer.write(g, item);
            }
            if (n != 1) {
                g.writeEndArray();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("a prediction cannot be written as JSON", e);
        }
        return text.toString();
    }

    static LoggedRequest of(PredictionRecord r) {
        return of(r.id(), r.time().toEpochMilli(), r.modelName(), r.version(), List.of(r.input()), List.of(r.output()),
                r.latencyMicros(), r.shadow(), r.callerKey());
    }

    /** Row {@code row}'s prediction id. */
    String id(int row) {
        return row == 0 ? id : PredictionIds.of(UUID.fromString(id), row);
    }

    /** The prediction with id {@code predictionId}, which this request holds (row 0 or one numbered from its base). */
    PredictionRecord record(String predictionId) {
        if (size == 1) {
            return record(id, parse(input, MAP), parse(output, MAP));
        }
        int row = predictionId.equals(id) ? 0 : PredictionIds.row(predictionId);
        return record(predictionId, parse(input, LIST).get(row), parse(output, LIST).get(row));
    }

    /** Row {@code row}'s prediction. */
    PredictionRecord record(int row) {
        return record(id(row));
    }

    /** Adds this request's predictions, in row order, until {@code out} holds {@code limit}. */
    void addTo(List<PredictionRecord> out, int limit) {
        if (size == 1) {
            if (out.size() < limit) {
                out.add(record(id));
            }
            return;
        }
        List<Map<String, Object>> ins = parse(input, LIST);
        List<Map<String, Object>> outs = parse(output, LIST);
        UUID base = UUID.fromString(id);
        for (int i = 0; i < size && out.size() < limit; i++) {
            out.add(record(PredictionIds.of(base, i), ins.get(i), outs.get(i)));
        }
    }

    private PredictionRecord record(String predictionId, Map<String, Object> in, Map<String, Object> out) {
        Map<String, Double> scores = new LinkedHashMap<>();
        if (out.get("scores") instanceof Map<?, ?> m) {
            m.forEach((k, v) -> scores.put(String.valueOf(k), Predictions.score(v)));
        }
        return new PredictionRecord(predictionId, Instant.ofEpochMilli(millis), model, version, in,
                new Prediction(out.get("value"), scores), latencyMicros, shadow, callerKey);
    }

    private <T> T parse(String json, TypeReference<T> type) {
        try {
            // LinkedHashMap keeps the columns in the order they were sent; JSON null values stay as null entries.
            return Json.MAPPER.readValue(json, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("prediction '" + id + "' has unreadable JSON: " + e.getOriginalMessage(), e);
        }
    }

    private static void writeMap(JsonGenerator g, Map<String, ?> map) throws IOException {
        if (map == null) {
            g.writeNull();
            return;
        }
        g.writeStartObject();
        for (Map.Entry<String, ?> e : map.entrySet()) {
            g.writeFieldName(e.getKey());
            write(g, e.getValue());
        }
        g.writeEndObject();
    }

    /** The scalar types a parsed row holds, written without a serializer lookup per value; others by the mapper. */
    private static void write(JsonGenerator g, Object v) throws IOException {
        if (v == null) {
            g.writeNull();
        } else if (v instanceof String s) {
            g.writeString(s);
        } else if (v instanceof Double d) {
            g.writeNumber(d);
        } else if (v instanceof Integer n) {
            g.writeNumber(n);
        } else if (v instanceof Long n) {
            g.writeNumber(n);
        } else if (v instanceof Boolean b) {
            g.writeBoolean(b);
        } else if (v instanceof BigDecimal n) {
            g.writeNumber(n);
        } else if (v instanceof BigInteger n) {
            g.writeNumber(n);
        } else {
            g.writeObject(v);
        }
    }
}
