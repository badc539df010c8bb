package org.cogwork.serving.internal;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.cogwork.api.engine.Prediction;
import org.cogwork.api.problem.Fields;
import org.cogwork.api.registry.RegisteredModel;
import org.cogwork.api.problem.InvalidFieldException;
import org.cogwork.api.serving.PredictionLog;
import org.cogwork.api.serving.PredictionRecord;
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

    private final Database db;

    @Activate
    public Predictions(@Reference Database db) {
        this.db = db;
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
        List<LoggedRequest> rows = new ArrayList<>(records.size());
        Set<String> ids = new HashSet<>();
        for (PredictionRecord r : records) {
            validate(r);
            try {
                rows.add(LoggedRequest.of(r));
            } catch (java.io.UncheckedIOException e) {
                throw new InvalidFieldException("input", "prediction '" + r.id() + "' cannot be written as JSON: " + e.getCause().getMessage());
            }
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
        db.jdbi().useTransaction(h -> insert(h, requests));
    }

    /**
     * Stores the requests whose ids are not logged yet and skips the others: the journal storing again, after a
     * crash, what it may already have stored.
     */
    void storeMissing(List<LoggedRequest> rows) {
        db.txVoid(h -> {
            Set<String> logged = new HashSet<>();
            for (int i = 0; i < rows.size(); i += IN_CHUNK) {
                logged.addAll(h.createQuery("SELECT id FROM predictions WHERE id IN (<ids>)")
                        .bindList("ids", rows.subList(i, Math.min(rows.size(), i + IN_CHUNK)).stream().map(LoggedRequest::id).toList())
                        .mapTo(String.class).list());
            }
            Set<String> seen = new HashSet<>(logged);
            insert(h, rows.stream().filter(x -> seen.add(x.id())).toList());
        });
    }

    /**
     * One JDBC batch on the handle's connection: the log's hot write (tens of thousands of rows a second under load),
     * where Jdbi's per-argument binding cost about a quarter of the storing thread's CPU (JFR).
     */
    private static void insert(Handle h, List<LoggedRequest> rows) {
        if (rows.isEmpty()) {
            return;
        }
        try (java.sql.PreparedStatement ps = h.getConnection().prepareStatement("INSERT INTO predictions (id, model_name, ver, "
                + "at_time, input_json, output_json, latency_micros, shadow, caller_key, row_count) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            for (LoggedRequest r : rows) {
                ps.setString(1, r.id());
                ps.setString(2, r.model());
                ps.setInt(3, r.version());
                ps.setLong(4, r.millis());
                ps.setString(5, r.input());
                ps.setString(6, r.output());
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
    private static Optional<LoggedRequest> locate(Handle h, String id) {
        String base = PredictionIds.base(id);
        List<LoggedRequest> found = h.createQuery(SELECT + "WHERE id = ? OR id = ?").bind(0, id).bind(1, base == null ? id : base)
                .map((rs, c) -> read(rs)).list();
        return pick(found, id, LoggedRequest::id, LoggedRequest::size);
    }

    /** Of the stored requests found for prediction {@code id} (by it and by its base id), the one that holds it. */
    private static <T> Optional<T> pick(List<T> found, String id, java.util.function.Function<T, String> idOf,
                                        java.util.function.ToIntFunction<T> sizeOf) {
        Optional<T> exact = found.stream().filter(s -> idOf.apply(s).equals(id)).findFirst();
        if (exact.isPresent()) {
            return exact;
        }
        String base = PredictionIds.base(id);
        int row = PredictionIds.row(id);
        return found.stream().filter(s -> idOf.apply(s).equals(base) && row > 0 && row < sizeOf.applyAsInt(s)).findFirst();
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
                .map((rs, c) -> read(rs)).forEach(s -> s.addTo(out, limit)));
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
        // the request's id, model, version and size only: its JSON (up to 65,536 rows) is not needed to know them
        String base = PredictionIds.base(predictionId);
        List<Stored> found = h.createQuery("SELECT id, model_name, ver, row_count FROM predictions WHERE id = ? OR id = ?")
                .bind(0, predictionId).bind(1, base == null ? predictionId : base)
                .map((rs, c) -> new Stored(rs.getString(1), new Source(rs.getString(2), rs.getInt(3)), rs.getInt(4))).list();
        return pick(found, predictionId, Stored::id, Stored::size).map(Stored::source);
    }

    /** The model version a logged prediction came from. */
    record Source(String model, int version) {
    }

    private record Stored(String id, Source source, int size) {
    }

    private static LoggedRequest read(ResultSet rs) throws SQLException {
        return new LoggedRequest(rs.getString(1), rs.getLong(2), rs.getString(3), rs.getInt(4), rs.getInt(10), rs.getString(5),
                rs.getString(6), rs.getLong(7), rs.getBoolean(8), rs.getString(9));
    }

    /** A score as JSON gave it back: a number, or Jackson's quoted "NaN" / "Infinity". */
    static Double score(Object v) {
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        return v == null ? null : Double.valueOf(v.toString());
    }

}
