package org.cogwork.serving.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.cogwork.api.engine.Prediction;
import org.cogwork.api.problem.Fields;
import org.cogwork.api.registry.RegisteredModel;
import org.cogwork.api.problem.InvalidFieldException;
import org.cogwork.api.serving.PredictionLog;
import org.cogwork.api.serving.PredictionRecord;
import org.cogwork.runtime.rest.Json;
import org.jdbi.v3.core.Handle;
import org.cogwork.persistence.Database;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The prediction log over the metadata store ({@code predictions}, serving's migrations V1 and V2): one row per
 * {@link LoggedRequest logged request}, holding its {@code row_count} predictions. A single prediction's input is kept
 * as JSON text (column → value), its output as {@code {"value": ..., "scores": {...}}}; a request of several rows keeps
 * arrays of those, and its predictions are found by the ids {@link PredictionIds} numbers from its base id. Times in
 * epoch milliseconds.
 * JSON numbers come back as {@link Integer}, {@link Long} or {@link Double} (whichever fits), so a value written
 * as another {@link Number} type (a {@code Float}, a {@code Short}) reads back as the JSON equivalent.
 */
@Component(name = "org.cogwork.registry.predictions", service = {PredictionLog.class, Predictions.class})
public class Predictions implements PredictionLog {
    /** Most records one {@link #append} takes (one transaction). */
    static final int MAX_BATCH = 10_000;
    /** Most records one {@link #list} returns. */
    static final int MAX_LIST = 50_000;
    static final int MAX_ID = 100;
    private static final int IN_CHUNK = 1000;
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() { };
    private static final TypeReference<List<Map<String, Object>>> LIST = new TypeReference<>() { };

    private final Database db;

    @Activate
    public Predictions(@Reference Database db) {
        this.db = db;
    }

    /** A logged request as stored: the JSON texts written before the transaction, so the transaction only writes. */
    private record Row(LoggedRequest r, String input, String output) {
    }

    @Override
    public void append(List<PredictionRecord> records) {
        if (records == null) {
            throw new InvalidFieldException("records", "records must not be null");
        }
        if (records.size() > MAX_BATCH) {
            throw new InvalidFieldException("records", "at most " + MAX_BATCH + " records per append, was " + records.size());
        }
        if (records.isEmpty()) {
            return;
        }
        List<Row> rows = new ArrayList<>(records.size());
        Set<String> ids = new HashSet<>();
        for (PredictionRecord r : records) {
            validate(r);
            rows.add(row(LoggedRequest.of(r)));
            if (!ids.add(r.id())) {
                throw new InvalidFieldException("id", "prediction id '" + r.id() + "' appears twice in the batch");
            }
        }
        // Serving's ids are fresh UUIDs: insert at once, and only when that fails (a duplicate id, or a transient
        // conflict) run the careful path, which names a logged id and retries transient failures.
        try {
            db.jdbi().useTransaction(h -> insert(h, rows));
            return;
        } catch (RuntimeException e) {
            // nothing was written (the transaction rolled back): take the careful path below
        }
        db.txVoid(h -> {
            // Ids must be unique: report a logged one by name (a race between two appends of one id ends in the
            // unique-key violation, retried by tx(), and then found here).
            List<String> all = new ArrayList<>(ids);
            for (int i = 0; i < all.size(); i += IN_CHUNK) {
                Optional<String> taken = h.createQuery("SELECT id FROM predictions WHERE id IN (<ids>)")
                        .bindList("ids", all.subList(i, Math.min(all.size(), i + IN_CHUNK)))
                        .mapTo(String.class).findFirst();
                if (taken.isPresent()) {
                    throw new InvalidFieldException("id", "prediction id '" + taken.get() + "' is already logged");
                }
            }
            insert(h, rows);
        });
    }

    /** Stores requests serving journaled (fresh ids), in one transaction: the journal's drain. */
    void store(List<LoggedRequest> requests) {
        List<Row> rows = new ArrayList<>(requests.size());
        for (LoggedRequest r : requests) {
            rows.add(row(r));
        }
        db.jdbi().useTransaction(h -> insert(h, rows));
    }

    /**
     * Stores the requests whose ids are not logged yet and skips the others: the journal storing again, after a
     * crash, what it may already have stored.
     */
    void storeMissing(List<LoggedRequest> requests) {
        List<Row> rows = new ArrayList<>(requests.size());
        for (LoggedRequest r : requests) {
            rows.add(row(r));
        }
        db.txVoid(h -> {
            Set<String> logged = new HashSet<>();
            for (int i = 0; i < rows.size(); i += IN_CHUNK) {
                logged.addAll(h.createQuery("SELECT id FROM predictions WHERE id IN (<ids>)")
                        .bindList("ids", rows.subList(i, Math.min(rows.size(), i + IN_CHUNK)).stream().map(x -> x.r().id()).toList())
                        .mapTo(String.class).list());
            }
            Set<String> seen = new HashSet<>(logged);
            insert(h, rows.stream().filter(x -> seen.add(x.r().id())).toList());
        });
    }

    /**
     * One JDBC batch on the handle's connection: the log's hot write (tens of thousands of rows a second under load),
     * where Jdbi's per-argument binding cost about a quarter of the storing thread's CPU (JFR).
     */
    private static void insert(Handle h, List<Row> rows) {
        if (rows.isEmpty()) {
            return;
        }
        try (java.sql.PreparedStatement ps = h.getConnection().prepareStatement("INSERT INTO predictions (id, model_name, ver, "
                + "at_time, input_json, output_json, latency_micros, shadow, caller_key, row_count) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            for (Row row : rows) {
                LoggedRequest r = row.r();
                ps.setString(1, r.id());
                ps.setString(2, r.model());
                ps.setInt(3, r.version());
                ps.setLong(4, r.millis());
                ps.setString(5, row.input());
                ps.setString(6, row.output());
                ps.setLong(7, r.latencyMicros());
                ps.setBoolean(8, r.shadow());
                ps.setString(9, r.callerKey());
                ps.setInt(10, r.size());
                ps.addBatch();
            }
            ps.executeBatch();
        } catch (java.sql.SQLException e) {
            throw new org.jdbi.v3.core.statement.UnableToExecuteStatementException(e, null);
        }
    }

    /**
     * The stored form: one request's inputs and outputs as JSON. A single prediction keeps the shape it always had
     * (the row's object; {@code {"value": ..., "scores": {...}}}); a request of several rows stores arrays of those.
     */
    private static Row row(LoggedRequest r) {
        if (r.size() == 1) {
            return new Row(r, json(r.inputs().get(0), "input"), json(output(r.outputs().get(0)), "output"));
        }
        List<Map<String, Object>> outputs = new ArrayList<>(r.size());
        for (Prediction p : r.outputs()) {
            outputs.add(output(p));
        }
        return new Row(r, json(r.inputs(), "input"), json(outputs, "output"));
    }

    private static Map<String, Object> output(Prediction p) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("value", p.value());
        out.put("scores", p.scores());
        return out;
    }

    private static void validate(PredictionRecord r) {
        if (r == null) {
            throw new InvalidFieldException("records", "records must not contain null");
        }
        predictionId(r.id());
        RegisteredModel.checkName(r.modelName(), "name");
        if (r.version() < 1) {
            throw new InvalidFieldException("version", "version must be >= 1, was " + r.version());
        }
        if (r.time() == null) {
            throw new InvalidFieldException("time", "time must not be null (prediction '" + r.id() + "')");
        }
        if (r.output() == null) {
            throw new InvalidFieldException("output", "output must not be null (prediction '" + r.id() + "')");
        }
        if (r.latencyMicros() < 0) {
            throw new InvalidFieldException("latency_micros", "latency_micros must be >= 0, was " + r.latencyMicros());
        }
        Fields.limit(r.callerKey(), 250, "caller_key");
    }

    static String predictionId(String id) {
        Fields.require(id, "id");
        return Fields.limit(id, MAX_ID, "id");
    }

    private static String json(Object value, String field) {
        try {
            return Json.MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new InvalidFieldException(field, field + " cannot be written as JSON: " + e.getOriginalMessage());
        }
    }

    @Override
    public Optional<PredictionRecord> find(String predictionId) {
        if (predictionId == null || predictionId.length() > MAX_ID) {
            return Optional.empty();
        }
        return db.jdbi().withHandle(h -> locate(h, predictionId).map(s -> s.record(predictionId)));
    }

    private static final String SELECT = "SELECT id, at_time, model_name, ver, input_json, output_json, latency_micros, shadow, "
            + "caller_key, row_count FROM predictions ";

    /**
     * The stored request holding prediction {@code id}: the row with that id (a single prediction, or row 0 of a
     * request), else the request whose base id it names if that request has the row.
     */
    private static Optional<Stored> locate(Handle h, String id) {
        String base = PredictionIds.base(id);
        int row = PredictionIds.row(id);
        List<Stored> found = h.createQuery(SELECT + "WHERE id = ? OR id = ?").bind(0, id).bind(1, base == null ? id : base)
                .map((rs, c) -> Stored.read(rs)).list();
        Optional<Stored> exact = found.stream().filter(s -> s.id().equals(id)).findFirst();
        if (exact.isPresent()) {
            return exact;
        }
        return found.stream().filter(s -> s.id().equals(base) && row > 0 && row < s.rows()).findFirst();
    }

    @Override
    public List<PredictionRecord> list(String modelName, Instant from, Instant to, int limit) {
        Fields.require(modelName, "model_name");
        if (limit < 1 || limit > MAX_LIST) {
            throw new InvalidFieldException("limit", "limit must be in 1.." + MAX_LIST + ", was " + limit);
        }
        if (from != null && to != null && to.isBefore(from)) {
            throw new InvalidFieldException("to", "to (" + to + ") must not be before from (" + from + ")");
        }
        long lo = from == null ? Long.MIN_VALUE : from.toEpochMilli();
        long hi = to == null ? Long.MAX_VALUE : to.toEpochMilli();
        // every stored request holds at least one prediction, so `limit` requests hold enough; a request's rows
        // follow each other in id order (their ids differ in the last 16 bits only)
        List<PredictionRecord> out = new ArrayList<>();
        db.jdbi().useHandle(h -> h.createQuery(SELECT + "WHERE model_name = ? AND at_time >= ? AND at_time < ? "
                        + "ORDER BY at_time, id LIMIT " + limit)
                .bind(0, modelName).bind(1, lo).bind(2, hi)
                .map((rs, c) -> Stored.read(rs)).forEach(s -> s.addTo(out, limit)));
        return out;
    }

    @Override
    public long count(String modelName, Integer version) {
        Fields.require(modelName, "model_name");
        return db.jdbi().withHandle(h -> version == null
                ? h.createQuery("SELECT COALESCE(SUM(row_count), 0) FROM predictions WHERE model_name = ?").bind(0, modelName)
                        .mapTo(Long.class).one()
                : h.createQuery("SELECT COALESCE(SUM(row_count), 0) FROM predictions WHERE model_name = ? AND ver = ?")
                        .bind(0, modelName).bind(1, version.intValue()).mapTo(Long.class).one());
    }

    /** The model version that made a logged prediction (in {@code h}'s transaction); empty when none has that id. */
    static Optional<Source> source(Handle h, String predictionId) {
        return locate(h, predictionId).map(s -> new Source(s.model(), s.version()));
    }

    /** The model version a logged prediction came from. */
    record Source(String model, int version) {
    }

    /** One row of {@code predictions} as read: a single prediction, or a request of {@code rows} predictions. */
    private record Stored(String id, long millis, String model, int version, String input, String output, long latencyMicros,
                          boolean shadow, String callerKey, int rows) {
        static Stored read(ResultSet rs) throws SQLException {
            return new Stored(rs.getString(1), rs.getLong(2), rs.getString(3), rs.getInt(4), rs.getString(5), rs.getString(6),
                    rs.getLong(7), rs.getBoolean(8), rs.getString(9), rs.getInt(10));
        }

        /** The prediction with id {@code predictionId}, which this request holds. */
        PredictionRecord record(String predictionId) {
            if (rows == 1) {
                return record(id, parse(input, id, MAP), parse(output, id, MAP));
            }
            int row = predictionId.equals(id) ? 0 : PredictionIds.row(predictionId);
            return record(predictionId, parse(input, id, LIST).get(row), parse(output, id, LIST).get(row));
        }

        /** Adds this request's predictions, in row order, until {@code out} holds {@code limit}. */
        void addTo(List<PredictionRecord> out, int limit) {
            if (rows == 1) {
                if (out.size() < limit) {
                    out.add(record(id));
                }
                return;
            }
            List<Map<String, Object>> ins = parse(input, id, LIST);
            List<Map<String, Object>> outs = parse(output, id, LIST);
            UUID base = UUID.fromString(id);
            for (int i = 0; i < rows && out.size() < limit; i++) {
                out.add(record(PredictionIds.of(base, i), ins.get(i), outs.get(i)));
            }
        }

        private PredictionRecord record(String predictionId, Map<String, Object> in, Map<String, Object> out) {
            Map<String, Double> scores = new LinkedHashMap<>();
            if (out.get("scores") instanceof Map<?, ?> m) {
                m.forEach((k, v) -> scores.put(String.valueOf(k), score(v)));
            }
            return new PredictionRecord(predictionId, Instant.ofEpochMilli(millis), model, version, in,
                    new Prediction(out.get("value"), scores), latencyMicros, shadow, callerKey);
        }
    }

    /** A score as JSON gave it back: a number, or Jackson's quoted "NaN" / "Infinity". */
    static Double score(Object v) {
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        return v == null ? null : Double.valueOf(v.toString());
    }

    private static <T> T parse(String json, String id, TypeReference<T> type) {
        try {
            // LinkedHashMap keeps the columns in the order they were sent; JSON null values stay as null entries.
            return Json.MAPPER.readValue(json, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("prediction '" + id + "' has unreadable JSON: " + e.getOriginalMessage(), e);
        }
    }
}
