package org.cogwork.training.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.cogwork.api.engine.Prediction;
import org.cogwork.api.training.TrainingResult.ClassMetrics;
import org.cogwork.api.training.TrainingResult.ConfusionMatrix;

/**
 * Evaluation metrics. Classification: accuracy; precision, recall, F1 and support per class with macro and
 * support-weighted averages; ROC-AUC (one-vs-rest, macro-averaged; the usual AUC for two classes); log loss
 * (probabilities clipped to [1e-15, 1]); the confusion matrix. Regression: MSE, RMSE, MAE, R².
 */
final class Metrics {
    /** Metric name → whether a higher value is better (what model selection may rank by). */
    static final Map<String, Boolean> HIGHER_IS_BETTER = Map.ofEntries(
            Map.entry("accuracy", true), Map.entry("f1_macro", true), Map.entry("f1_weighted", true),
            Map.entry("roc_auc", true), Map.entry("log_loss", false), Map.entry("precision_macro", true),
            Map.entry("recall_macro", true), Map.entry("mse", false), Map.entry("rmse", false), Map.entry("mae", false),
            Map.entry("r2", true));

    private Metrics() {
    }

    /**
     * Result of evaluating one model on one set of rows: the metrics, and for classification the per-class metrics and
     * the confusion matrix ({@code null} for regression).
     */
    record Evaluation(Map<String, Double> scalars, Map<String, ClassMetrics> perClass, ConfusionMatrix confusionMatrix) {
        double get(String metric) {
            Double v = scalars.get(metric);
            if (v == null) {
                throw new IllegalArgumentException("metric '" + metric + "' is not available for this task; have " + scalars.keySet());
            }
            return v;
        }
    }

    static Evaluation classification(List<String> truth, List<Prediction> predicted) {
        Classifications c = new Classifications();
        for (int i = 0; i < truth.size(); i++) {
            c.add(truth.get(i), predicted.get(i));
        }
        return c.evaluation();
    }

    static Evaluation regression(List<Double> truth, List<Double> predicted) {
        Regressions r = new Regressions();
        for (int i = 0; i < truth.size(); i++) {
            r.add(truth.get(i), predicted.get(i));
        }
        return r.evaluation();
    }

    /**
     * Classification outcomes gathered one row at a time, in a few bytes per row (label indexes and one score
     * column per class) rather than a {@link Prediction} per row, so that a large test set streams through.
     */
    static final class Classifications {
        private final Map<String, Integer> ids = new HashMap<>();
        private final List<String> names = new ArrayList<>();
        private final Ints truth = new Ints();
        private final Ints predicted = new Ints();
        /** Label → its score on every row so far (0 on rows whose scores did not name it). */
        private final Map<String, Doubles> scores = new HashMap<>();
        private boolean hasScores = true;
        private double logLoss;
        private int n;

        void add(String actual, Prediction p) {
            int t = id(actual);
            truth.add(t);
            predicted.add(id(String.valueOf(p.value())));
            Map<String, Double> s = p.scores();
            if (s.isEmpty()) {
                hasScores = false;
            } else {
                logLoss -= Math.log(Math.min(1, Math.max(1e-15, s.getOrDefault(actual, 0.0))));
                for (Map.Entry<String, Double> e : s.entrySet()) {
                    scores.computeIfAbsent(e.getKey(), k -> new Doubles(n)).set(n, e.getValue());
                }
            }
            n++;
        }

        private int id(String label) {
            Integer i = ids.get(label);
            if (i == null) {
                i = names.size();
                ids.put(label, i);
                names.add(label);
            }
            return i;
        }

        Evaluation evaluation() {
            List<String> labels = new ArrayList<>(new TreeSet<>(names));
            int k = labels.size();
            int[] order = new int[names.size()];
            for (int i = 0; i < order.length; i++) {
                order[i] = labels.indexOf(names.get(i));
            }
            long[][] cm = new long[k][k];
            int correct = 0;
            for (int i = 0; i < n; i++) {
                int t = order[truth.get(i)];
                int p = order[predicted.get(i)];
                cm[t][p]++;
                if (t == p) {
                    correct++;
                }
            }
            Map<String, Double> s = new LinkedHashMap<>();
            s.put("accuracy", n == 0 ? 0 : correct / (double) n);
            Map<String, ClassMetrics> perClass = new LinkedHashMap<>();
            double pMacro = 0, rMacro = 0, fMacro = 0, fWeighted = 0;
            for (int c = 0; c < k; c++) {
                long tp = cm[c][c];
                long predictedC = 0, actualC = 0;
                for (int j = 0; j < k; j++) {
                    predictedC += cm[j][c];
                    actualC += cm[c][j];
                }
                double precision = predictedC == 0 ? 0 : tp / (double) predictedC;
                double recall = actualC == 0 ? 0 : tp / (double) actualC;
                double f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
                perClass.put(labels.get(c), new ClassMetrics(precision, recall, f1, actualC));
                pMacro += precision / k;
                rMacro += recall / k;
                fMacro += f1 / k;
                fWeighted += n == 0 ? 0 : f1 * actualC / n;
            }
            s.put("precision_macro", pMacro);
            s.put("recall_macro", rMacro);
            s.put("f1_macro", fMacro);
            s.put("f1_weighted", fWeighted);
            if (hasScores && n > 0) {
                s.put("log_loss", logLoss / n);
                double auc = 0;
                int counted = 0;
                for (String label : labels) {
                    Doubles column = scores.get(label);
                    double[] score = new double[n];
                    for (int i = 0; i < n && column != null; i++) {
                        score[i] = column.get(i);
                    }
                    boolean[] pos = new boolean[n];
                    int id = ids.get(label);
                    for (int i = 0; i < n; i++) {
                        pos[i] = truth.get(i) == id;
                    }
                    double a = auc(score, pos);
                    if (!Double.isNaN(a)) {
                        auc += a;
                        counted++;
                    }
                }
                if (counted > 0) {
                    s.put("roc_auc", auc / counted);
                }
            }
            List<List<Long>> matrix = new ArrayList<>();
            for (long[] row : cm) {
                matrix.add(Arrays.stream(row).boxed().toList());
            }
            return new Evaluation(s, perClass, ConfusionMatrix.of(labels, matrix));
        }
    }

    /** One-vs-rest AUC of {@code label} by the rank-sum formula (ties share ranks); NaN if a side is empty. */
    static double auc(List<String> truth, List<Prediction> predicted, String label) {
        int n = truth.size();
        double[] score = new double[n];
        boolean[] pos = new boolean[n];
        for (int i = 0; i < n; i++) {
            score[i] = predicted.get(i).scores().getOrDefault(label, 0.0);
            pos[i] = truth.get(i).equals(label);
        }
        return auc(score, pos);
    }

    private static double auc(double[] score, boolean[] pos) {
        int n = score.length;
        int np = 0;
        for (boolean p : pos) {
            if (p) {
                np++;
            }
        }
        int nn = n - np;
        if (np == 0 || nn == 0) {
            return Double.NaN;
        }
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(score[a], score[b]));
        double rankSum = 0;
        for (int i = 0; i < n; ) {
            int j = i;
            while (j + 1 < n && score[order[j + 1]] == score[order[i]]) {
                j++;
            }
            double rank = (i + j) / 2.0 + 1;
            for (int m = i; m <= j; m++) {
                if (pos[order[m]]) {
                    rankSum += rank;
                }
            }
            i = j + 1;
        }
        return (rankSum - np * (np + 1) / 2.0) / ((double) np * nn);
    }

    /** Regression outcomes gathered one row at a time (two doubles per row). */
    static final class Regressions {
        private final Doubles truth = new Doubles(0);
        private final Doubles predicted = new Doubles(0);

        void add(double actual, double prediction) {
            truth.set(truth.size(), actual);
            predicted.set(predicted.size(), prediction);
        }

        Evaluation evaluation() {
            int n = truth.size();
            double mean = Arrays.stream(truth.values, 0, n).average().orElse(0);
            double se = 0, ae = 0, tot = 0;
            for (int i = 0; i < n; i++) {
                double e = truth.get(i) - predicted.get(i);
                se += e * e;
                ae += Math.abs(e);
                tot += (truth.get(i) - mean) * (truth.get(i) - mean);
            }
            Map<String, Double> s = new LinkedHashMap<>();
            s.put("mse", se / n);
            s.put("rmse", Math.sqrt(se / n));
            s.put("mae", ae / n);
            s.put("r2", tot == 0 ? 0 : 1 - se / tot);
            return new Evaluation(s, null, null);
        }
    }

    /** A growable int array. */
    private static final class Ints {
        private int[] values = new int[64];
        private int size;

        void add(int v) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = v;
        }

        int get(int i) {
            return values[i];
        }
    }

    /** A growable double array whose first {@code size} values are given, the rest 0 until set. */
    private static final class Doubles {
        private double[] values;
        private int size;

        Doubles(int size) {
            this.values = new double[Math.max(64, size + 1)];
            this.size = size;
        }

        void set(int i, double v) {
            if (i >= values.length) {
                values = Arrays.copyOf(values, Math.max(values.length * 2, i + 1));
            }
            values[i] = v;
            size = Math.max(size, i + 1);
        }

        double get(int i) {
            return i < size ? values[i] : 0;
        }

        int size() {
            return size;
        }
    }

    /** Whether {@code a} beats {@code b} on the metric. */
    static boolean better(String metric, double a, double b) {
        return HIGHER_IS_BETTER.get(metric) ? a > b : a < b;
    }
}
