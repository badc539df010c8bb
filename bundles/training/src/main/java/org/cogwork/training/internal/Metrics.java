package org.cogwork.training.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.cogwork.api.engine.Prediction;

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

    /** Result of evaluating one model on one set of rows. */
    record Evaluation(Map<String, Double> scalars, Map<String, Object> details) {
        double get(String metric) {
            Double v = scalars.get(metric);
            if (v == null) {
                throw new IllegalArgumentException("metric '" + metric + "' is not available for this task; have " + scalars.keySet());
            }
            return v;
        }
    }

    static Evaluation classification(List<String> truth, List<Prediction> predicted) {
        TreeSet<String> all = new TreeSet<>(truth);
        predicted.forEach(p -> all.add(String.valueOf(p.value())));
        List<String> labels = new ArrayList<>(all);
        int k = labels.size();
        long[][] cm = new long[k][k];
        int correct = 0;
        double logLoss = 0;
        boolean hasScores = true;
        for (int i = 0; i < truth.size(); i++) {
            int t = labels.indexOf(truth.get(i));
            int p = labels.indexOf(String.valueOf(predicted.get(i).value()));
            cm[t][p]++;
            if (t == p) {
                correct++;
            }
            Map<String, Double> scores = predicted.get(i).scores();
            if (scores.isEmpty()) {
                hasScores = false;
            } else {
                double pt = scores.getOrDefault(truth.get(i), 0.0);
                logLoss -= Math.log(Math.min(1, Math.max(1e-15, pt)));
            }
        }
        int n = truth.size();
        Map<String, Double> s = new LinkedHashMap<>();
        s.put("accuracy", n == 0 ? 0 : correct / (double) n);
        Map<String, Map<String, Double>> perClass = new LinkedHashMap<>();
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
            perClass.put(labels.get(c), Map.of("precision", precision, "recall", recall, "f1", f1, "support", (double) actualC));
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
                double a = auc(truth, predicted, label);
                if (!Double.isNaN(a)) {
                    auc += a;
                    counted++;
                }
            }
            if (counted > 0) {
                s.put("roc_auc", auc / counted);
            }
        }
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("perClass", perClass);
        List<List<Long>> matrix = new ArrayList<>();
        for (long[] row : cm) {
            matrix.add(Arrays.stream(row).boxed().toList());
        }
        details.put("confusionMatrix", Map.of("labels", labels, "matrix", matrix,
                "note", "rows are the true class, columns the predicted class"));
        return new Evaluation(s, details);
    }

    /** One-vs-rest AUC of {@code label} by the rank-sum formula (ties share ranks); NaN if a side is empty. */
    static double auc(List<String> truth, List<Prediction> predicted, String label) {
        int n = truth.size();
        double[] score = new double[n];
        boolean[] pos = new boolean[n];
        int np = 0;
        for (int i = 0; i < n; i++) {
            score[i] = predicted.get(i).scores().getOrDefault(label, 0.0);
            pos[i] = truth.get(i).equals(label);
            if (pos[i]) {
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

    static Evaluation regression(List<Double> truth, List<Double> predicted) {
        int n = truth.size();
        double mean = truth.stream().mapToDouble(Double::doubleValue).average().orElse(0);
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
        return new Evaluation(s, Map.of());
    }

    /** Whether {@code a} beats {@code b} on the metric. */
    static boolean better(String metric, double a, double b) {
        return HIGHER_IS_BETTER.get(metric) ? a > b : a < b;
    }
}
