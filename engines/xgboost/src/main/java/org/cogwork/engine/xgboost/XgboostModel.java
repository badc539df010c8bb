package org.cogwork.engine.xgboost;

import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.XGBoostError;
import org.cogwork.api.data.Row;
import org.cogwork.api.engine.Model;
import org.cogwork.api.engine.ModelDescriptor;
import org.cogwork.api.engine.Prediction;
import org.cogwork.api.engine.Task;

/**
 * A trained booster with its input layout. Predictions use XGBoost's in-place prediction straight from a float
 * array (no DMatrix per call), limited to the first {@code rounds} boosting rounds (the best round's, with early
 * stopping). XGBoost's prediction is thread-safe; a read-write lock keeps {@link #close} (which frees the booster's
 * native memory) from running under a prediction.
 */
final class XgboostModel implements Model {
    private final ModelDescriptor descriptor;
    private final Columns columns;
    private final Booster booster;
    private final int rounds;
    /** The booster's trees walked in Java (null: a model they cannot express, predicted by the booster). */
    private final Trees trees;
    private final ReadWriteLock lock = new ReentrantReadWriteLock();
    private boolean closed;

    /** @param trees the booster's first {@code rounds} rounds walked in Java ({@link Trees#of}), or null */
    XgboostModel(ModelDescriptor descriptor, Columns columns, Booster booster, int rounds, Trees trees) {
        this.descriptor = descriptor;
        this.columns = columns;
        this.booster = booster;
        this.rounds = rounds;
        this.trees = trees;
    }

    /** The booster itself (tests compare with what XGBoost computes). */
    Booster booster() {
        return booster;
    }

    @Override
    public ModelDescriptor descriptor() {
        return descriptor;
    }

    int rounds() {
        return rounds;
    }

    /**
     * From this many rows a call goes to XGBoost's own predictor: it pays ~55 µs per call but walks large batches
     * faster than the Java walk (bench/predict-bench.sh, concrete, 100 rows: 4.5 against 12.3 µs per row).
     */
    static final int NATIVE_FROM_ROWS = 32;

    @Override
    public List<Prediction> predict(List<Row> rows) {
        return predict(rows, trees != null && rows.size() < NATIVE_FROM_ROWS);
    }

    /** Predicts with the trees walked in Java, or with XGBoost's own predictor (large batches; the reference in tests). */
    List<Prediction> predict(List<Row> rows, boolean inJava) {
        int width = columns.width();
        float[] x = new float[rows.size() * width];
        for (int r = 0; r < rows.size(); r++) {
            columns.encode(rows.get(r), x, r * width);
        }
        float[][] out;
        lock.readLock().lock();
        try {
            if (closed) {
                throw new IllegalStateException("the model is closed");
            }
            if (rows.isEmpty()) {
                return List.of();
            }
            if (inJava) {
                out = new float[rows.size()][];
                for (int r = 0; r < rows.size(); r++) {
                    out[r] = trees.predict(x, r * width);
                }
            } else {
                out = booster.inplace_predict(x, rows.size(), width, Float.NaN, new int[] {0, rounds},
                    Booster.PredictionType.kValue, null);
            }
        } catch (XGBoostError e) {
            throw new IllegalStateException("XGBoost prediction failed: " + Boosting.reason(e), e);
        } finally {
            lock.readLock().unlock();
        }
        List<Prediction> predictions = new ArrayList<>(rows.size());
        List<String> labels = descriptor.labels();
        for (float[] y : out) {
            if (descriptor.task() == Task.REGRESSION) {
                predictions.add(new Prediction((double) y[0], Map.of()));
            } else if (labels.size() == 2) {
                double p = y[0]; // binary:logistic gives the probability of the second label
                predictions.add(new Prediction(labels.get(p > 0.5 ? 1 : 0), Map.of(labels.get(0), 1 - p, labels.get(1), p)));
            } else {
                @SuppressWarnings("unchecked")
                Map.Entry<String, Double>[] scores = new Map.Entry[labels.size()];
                int best = 0;
                for (int k = 0; k < labels.size(); k++) {
                    scores[k] = Map.entry(labels.get(k), (double) y[k]);
                    if (y[k] > y[best]) {
                        best = k;
                    }
                }
                predictions.add(new Prediction(labels.get(best), Map.ofEntries(scores)));
            }
        }
        return predictions;
    }

    @Override
    public void save(OutputStream out) throws IOException {
        byte[] bytes;
        lock.readLock().lock();
        try {
            if (closed) {
                throw new IllegalStateException("the model is closed");
            }
            bytes = booster.toByteArray("ubj");
        } catch (XGBoostError e) {
            throw new IOException("XGBoost could not write the model: " + Boosting.reason(e), e);
        } finally {
            lock.readLock().unlock();
        }
        ModelFile.write(out, descriptor, columns, rounds, bytes);
    }

    @Override
    public void close() {
        lock.writeLock().lock();
        try {
            if (!closed) {
                closed = true;
                booster.dispose();
            }
        } finally {
            lock.writeLock().unlock();
        }
    }
}
