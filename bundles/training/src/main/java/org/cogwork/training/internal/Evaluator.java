package org.cogwork.training.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.PriorityQueue;
import java.util.function.LongUnaryOperator;
import org.cogwork.api.data.Dataset;
import org.cogwork.api.data.Field;
import org.cogwork.api.data.ReadReport;
import org.cogwork.api.data.Row;
import org.cogwork.api.data.RowCursor;
import org.cogwork.api.data.Schema;
import org.cogwork.api.engine.Model;
import org.cogwork.api.engine.Prediction;
import org.cogwork.api.engine.Task;
import org.cogwork.api.feature.FittedPipeline;
import org.cogwork.api.training.TrainingResult.WorstPrediction;
import org.cogwork.runtime.rest.Json;

/**
 * Scores a fitted pipeline and model on labelled rows, streaming: the rows pass once through the pipeline (in
 * order, as at prediction time: lags and rolling windows see the rows before), are predicted in batches, and leave
 * behind only what the metrics need (a few bytes per row, see {@link Metrics.Classifications}) and the
 * {@value #WORST} rows the model got most wrong. Used for the test part of a training job, for a job's fixed test set
 * and for {@code POST /api/models/{name}/versions/{v}/evaluate}, so all three report the same metrics, confusion
 * matrix and worst rows.
 *
 * <p>The rows keep their target while the pipeline runs (no transform reads a row's own target at apply time) and
 * lose it before the model sees them. Rows without a target are counted and skipped.
 */
final class Evaluator {
    static final int WORST = 10;
    private static final int BATCH = 1000;

    /** Called between batches; throws to stop (a cancelled or timed-out job). */
    interface Stop {
        void check() throws Exception;
    }

    /**
     * What an evaluation found.
     *
     * @param rows rows scored (with a target)
     * @param withoutTarget rows read and skipped for lack of a target
     * @param sha256 hash of every row read, as {@link #digest} hashes a training job's rows
     */
    record Result(Metrics.Evaluation evaluation, List<WorstPrediction> worst, long rows, long withoutTarget, String sha256) {
    }

    private final Task task;
    private final FittedPipeline pipeline;
    private final Model model;
    private final String target;

    Evaluator(Task task, FittedPipeline pipeline, Model model, String target) {
        if (task == Task.CLUSTERING || target == null) {
            throw new IllegalArgumentException("a clustering model has no target to be evaluated against");
        }
        this.task = task;
        this.pipeline = pipeline;
        this.model = model;
        this.target = target;
    }

    /** Adds one row, as read, to a running hash of a data set. */
    static void digest(MessageDigest sha, Row r) {
        StringBuilder line = new StringBuilder();
        for (Object v : r.values()) {
            line.append(v).append('\u001f');
        }
        sha.update(line.append('\n').toString().getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Scores {@code data}, whose schema must hold the target and the pipeline's input columns.
     *
     * @param rowNumber the number a worst row is shown with, from its position among the rows read (0-based)
     * @throws IllegalArgumentException naming the row (its position among the rows read) whose value the pipeline or
     *     model refuses
     */
    Result evaluate(Dataset data, LongUnaryOperator rowNumber, Stop stop) throws Exception {
        Schema in = data.schema();
        int t = in.indexOf(target);
        if (t < 0) {
            throw new IllegalArgumentException("the rows have no target column '" + target + "'");
        }
        MessageDigest sha = sha256();
        Labelled labelled = new Labelled(data, t, sha);
        Dataset transformed = pipeline.apply(labelled);
        Schema out = transformed.schema();
        int to = out.indexOf(target);
        List<Field> fs = new ArrayList<>(out.fields());
        if (to >= 0) {
            fs.remove(to);
        }
        Schema modelSchema = new Schema(fs);
        Metrics.Classifications classes = task == Task.CLASSIFICATION ? new Metrics.Classifications() : null;
        Metrics.Regressions values = task == Task.CLASSIFICATION ? null : new Metrics.Regressions();
        PriorityQueue<Scored> worst = new PriorityQueue<>(Scored.ORDER.reversed());
        List<Row> batch = new ArrayList<>(BATCH);
        List<Row> originals = new ArrayList<>(BATCH);
        long[] positions = new long[BATCH];
        long scored = 0;
        try (RowCursor c = transformed.open()) {
            while (true) {
                Row r;
                try {
                    if (!c.hasNext()) {
                        break;
                    }
                    r = c.next();
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("row " + labelled.lastPosition() + ": " + e.getMessage(), e);
                }
                positions[batch.size()] = labelled.positions.removeFirst();
                originals.add(labelled.originals.removeFirst());
                batch.add(to < 0 ? r : withoutColumn(r, to, modelSchema));
                if (batch.size() == BATCH) {
                    stop.check();
                    scored = score(batch, originals, positions, t, scored, classes, values, worst, rowNumber);
                }
            }
            scored = score(batch, originals, positions, t, scored, classes, values, worst, rowNumber);
        }
        List<Scored> ordered = new ArrayList<>(worst);
        ordered.sort(Scored.ORDER);
        List<WorstPrediction> rows = new ArrayList<>(ordered.size());
        for (Scored s : ordered) {
            rows.add(s.view(in, t, task));
        }
        Metrics.Evaluation e = classes != null ? classes.evaluation() : values.evaluation();
        return new Result(e, rows, scored, labelled.withoutTarget, HexFormat.of().formatHex(sha.digest()));
    }

    /** Predicts a batch and adds it to the metrics; empties the batch. */
    private long score(List<Row> batch, List<Row> originals, long[] positions, int t, long scored,
                       Metrics.Classifications classes, Metrics.Regressions values, PriorityQueue<Scored> worst,
                       LongUnaryOperator rowNumber) {
        if (batch.isEmpty()) {
            return scored;
        }
        List<Prediction> predictions;
        try {
            predictions = model.predict(batch);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("rows " + positions[0] + " to " + positions[batch.size() - 1] + ": " + e.getMessage(), e);
        }
        for (int i = 0; i < batch.size(); i++) {
            Object truth = originals.get(i).get(t);
            Prediction p = predictions.get(i);
            double loss;
            if (classes != null) {
                String actual = String.valueOf(truth);
                classes.add(actual, p);
                loss = p.scores().isEmpty() ? (String.valueOf(p.value()).equals(actual) ? 0 : 1)
                        : -Math.log(Math.max(1e-15, p.scores().getOrDefault(actual, 0.0)));
            } else {
                if (!(truth instanceof Number n)) {
                    throw new IllegalArgumentException("row " + positions[i] + ": the target '" + target + "' must be a number, was "
                            + Json.quote(String.valueOf(truth)));
                }
                double predicted = ((Number) p.value()).doubleValue();
                values.add(n.doubleValue(), predicted);
                loss = Math.abs(n.doubleValue() - predicted);
            }
            worst.add(new Scored(-loss, scored++, rowNumber.applyAsLong(positions[i]), originals.get(i), p, loss));
            if (worst.size() > WORST) {
                worst.poll();
            }
        }
        batch.clear();
        originals.clear();
        return scored;
    }

    private static Row withoutColumn(Row r, int column, Schema schema) {
        Object[] v = r.values();
        Object[] w = new Object[v.length - 1];
        for (int a = 0, b = 0; a < v.length; a++) {
            if (a != column) {
                w[b++] = v[a];
            }
        }
        return new Row(schema, w);
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * One scored row, kept while it is among the worst: ordered by loss, highest first, then by the order in which
     * rows were scored (as the training job always listed them).
     */
    private record Scored(double negativeLoss, long seq, long row, Row original, Prediction prediction, double loss) {
        static final Comparator<Scored> ORDER = Comparator.comparingDouble(Scored::negativeLoss).thenComparingLong(Scored::seq);

        WorstPrediction view(Schema schema, int t, Task task) {
            Map<String, Object> features = new LinkedHashMap<>();
            for (int i = 0; i < schema.size(); i++) {
                if (i != t) {
                    features.put(schema.fields().get(i).name(), abbreviate(original.get(i)));
                }
            }
            boolean classification = task == Task.CLASSIFICATION;
            return new WorstPrediction(row, original.get(t), prediction.value(), classification ? loss : null,
                    classification ? null : loss, prediction.scores().isEmpty() ? null : prediction.scores(), features);
        }

        private static Object abbreviate(Object v) {
            return v instanceof String s && s.length() > 300 ? s.substring(0, 297) + "..." : v;
        }
    }

    /**
     * The rows with a target, read once: each row handed to the pipeline is remembered (with its position among the
     * rows read) until its transformed row comes back, so the worst rows show the features as read. Transforms
     * return their rows lazily and in order ({@link org.cogwork.api.feature.FittedTransform#apply(Dataset)}), so
     * this holds about one row, not the data set.
     */
    private static final class Labelled implements Dataset {
        private final Dataset data;
        private final int target;
        private final MessageDigest sha;
        final ArrayDeque<Row> originals = new ArrayDeque<>();
        final ArrayDeque<Long> positions = new ArrayDeque<>();
        long withoutTarget;
        private long read;
        private boolean opened;

        Labelled(Dataset data, int target, MessageDigest sha) {
            this.data = data;
            this.target = target;
            this.sha = sha;
        }

        @Override
        public Schema schema() {
            return data.schema();
        }

        long lastPosition() {
            return positions.isEmpty() ? read - 1 : positions.getLast();
        }

        @Override
        public RowCursor open() {
            if (opened) {
                // a pipeline that read its input twice would pair transformed rows with the wrong originals
                throw new IllegalStateException("a feature transform read the evaluated rows twice");
            }
            opened = true;
            RowCursor c = data.open();
            return new RowCursor() {
                private Row next;
                private long nextPosition;

                @Override
                public boolean hasNext() {
                    while (next == null && c.hasNext()) {
                        Row r = c.next();
                        digest(sha, r);
                        long position = read++;
                        if (r.get(target) == null) {
                            withoutTarget++;
                        } else {
                            next = r;
                            nextPosition = position;
                        }
                    }
                    return next != null;
                }

                @Override
                public Row next() {
                    if (!hasNext()) {
                        throw new NoSuchElementException();
                    }
                    Row r = next;
                    next = null;
                    originals.addLast(r);
                    positions.addLast(nextPosition);
                    return r;
                }

                @Override
                public ReadReport report() {
                    return c.report();
                }

                @Override
                public void close() {
                    c.close();
                }
            };
        }
    }
}
