package org.cogwork.features.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.cogwork.api.data.Dataset;
import org.cogwork.api.data.Field;
import org.cogwork.api.data.Row;
import org.cogwork.api.data.Schema;
import org.cogwork.api.feature.FeatureTransform;
import org.osgi.service.component.annotations.Component;

/**
 * Feature selection over numeric columns (other columns pass through): {@code variance} drops columns whose
 * training variance is at most {@code threshold}; {@code correlation} drops the later column of every pair
 * whose |Pearson r| exceeds {@code threshold}; {@code kbest} keeps the {@code k} columns that score highest
 * against the target by {@code method} {@code mutual_info} (10 equal-frequency bins) or {@code chi2}
 * (non-negative features) for a categorical target, or |correlation| for a numeric one.
 */
public abstract class Select extends Transform {
    Select(String name, Param... params) {
        super(name, params);
    }

    @Component(service = FeatureTransform.class, property = FeatureTransform.TRANSFORM_NAME + "=variance")
    public static final class Variance extends Select {
        public Variance() {
            super("variance", Param.columns(), Param.number("threshold", 0));
        }

        @Override
        Set<String> drop(Schema in, List<String> cols, double[][] x, List<Row> rows, Params p) {
            double threshold = p.number("threshold", 0);
            Set<String> drop = new LinkedHashSet<>();
            for (int k = 0; k < cols.size(); k++) {
                if (variance(x[k]) <= threshold) {
                    drop.add(cols.get(k));
                }
            }
            return drop;
        }
    }

    @Component(service = FeatureTransform.class, property = FeatureTransform.TRANSFORM_NAME + "=correlation")
    public static final class Correlation extends Select {
        public Correlation() {
            super("correlation", Param.columns(), Param.number("threshold", 0, 1));
        }

        @Override
        Set<String> drop(Schema in, List<String> cols, double[][] x, List<Row> rows, Params p) {
            double threshold = p.number("threshold", 0.95);
            Set<String> drop = new LinkedHashSet<>();
            for (int a = 0; a < cols.size(); a++) {
                for (int b = a + 1; b < cols.size(); b++) {
                    if (!drop.contains(cols.get(a)) && !drop.contains(cols.get(b)) && Math.abs(pearson(x[a], x[b])) > threshold) {
                        drop.add(cols.get(b));
                    }
                }
            }
            return drop;
        }
    }

    @Component(service = FeatureTransform.class, property = FeatureTransform.TRANSFORM_NAME + "=kbest")
    public static final class KBest extends Select {
        public KBest() {
            super("kbest", Param.columns(), Param.whole("k", 1), Param.oneOf("method", "mutual_info", "chi2"));
        }

        @Override
        Set<String> drop(Schema in, List<String> cols, double[][] x, List<Row> rows, Params p) {
            String target = p.target();
            if (target == null || in.indexOf(target) < 0) {
                throw p.error("target", "kbest needs the training target");
            }
            int k = p.integer("k", 10);
            String method = p.string("method", "mutual_info");
            int t = in.indexOf(target);
            boolean numericTarget = in.fields().get(t).type().isNumeric();
            double[] score = new double[cols.size()];
            if (numericTarget) {
                double[] y = rows.stream().mapToDouble(r -> State.number(r, t)).toArray();
                for (int c = 0; c < cols.size(); c++) {
                    score[c] = Math.abs(pearson(x[c], y));
                }
            } else {
                String[] y = rows.stream().map(r -> String.valueOf(r.get(t))).toArray(String[]::new);
                for (int c = 0; c < cols.size(); c++) {
                    score[c] = switch (method) {
                        case "mutual_info" -> mutualInfo(x[c], y);
                        case "chi2" -> chi2(x[c], y, cols.get(c), p);
                        default -> throw new IllegalStateException("undeclared method " + method);
                    };
                }
            }
            Integer[] order = new Integer[cols.size()];
            for (int i = 0; i < order.length; i++) {
                order[i] = i;
            }
            Arrays.sort(order, (a, b) -> Double.compare(score[b], score[a]) != 0 ? Double.compare(score[b], score[a]) : a - b);
            Set<String> drop = new LinkedHashSet<>();
            for (int i = k; i < order.length; i++) {
                drop.add(cols.get(order[i]));
            }
            return drop;
        }
    }

    /** Columns to drop, given the training values of the candidate columns ({@code x[col][row]}, NaN missing). */
    abstract Set<String> drop(Schema in, List<String> cols, double[][] x, List<Row> rows, Params p);

    @Override
    Fitted fit(Schema input, Dataset data, Params p) {
        List<String> cols = p.columns(input, Params::numeric, "numeric");
        List<Row> rows = data.toList();
        double[][] x = new double[cols.size()][rows.size()];
        for (int c = 0; c < cols.size(); c++) {
            int i = input.indexOf(cols.get(c));
            for (int r = 0; r < rows.size(); r++) {
                x[c][r] = State.number(rows.get(r), i);
            }
        }
        return new Selected(input, new ArrayList<>(drop(input, cols, x, rows, p)));
    }

    @Override
    Fitted restore(Schema input, JsonNode state) {
        List<String> drop = new ArrayList<>();
        state.path("dropped").forEach(n -> drop.add(n.asText()));
        return new Selected(input, drop);
    }

    static double variance(double[] v) {
        double[] x = Arrays.stream(v).filter(d -> !Double.isNaN(d)).toArray();
        double mean = Arrays.stream(x).average().orElse(0);
        return x.length < 2 ? 0 : Arrays.stream(x).map(d -> (d - mean) * (d - mean)).sum() / (x.length - 1);
    }

    static double pearson(double[] a, double[] b) {
        double sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0;
        int n = 0;
        for (int i = 0; i < a.length; i++) {
            if (Double.isNaN(a[i]) || Double.isNaN(b[i])) {
                continue;
            }
            n++;
            sa += a[i];
            sb += b[i];
            saa += a[i] * a[i];
            sbb += b[i] * b[i];
            sab += a[i] * b[i];
        }
        double cov = sab - sa * sb / n;
        double den = Math.sqrt((saa - sa * sa / n) * (sbb - sb * sb / n));
        return n < 2 || den == 0 ? 0 : cov / den;
    }

    static double mutualInfo(double[] x, String[] y) {
        double[] present = Arrays.stream(x).filter(d -> !Double.isNaN(d)).sorted().toArray();
        double[] edges = new double[9];
        for (int i = 0; i < 9; i++) {
            edges[i] = Scale.quantile(present, (i + 1) / 10.0);
        }
        Map<String, Integer> joint = new HashMap<>();
        Map<Integer, Integer> px = new HashMap<>();
        Map<String, Integer> py = new HashMap<>();
        int n = 0;
        for (int i = 0; i < x.length; i++) {
            int bin = Double.isNaN(x[i]) ? -1 : bin(edges, x[i]);
            joint.merge(bin + "\u0000" + y[i], 1, Integer::sum);
            px.merge(bin, 1, Integer::sum);
            py.merge(y[i], 1, Integer::sum);
            n++;
        }
        double mi = 0;
        for (Map.Entry<String, Integer> e : joint.entrySet()) {
            String[] parts = e.getKey().split("\u0000", 2);
            double pxy = e.getValue() / (double) n;
            double pxv = px.get(Integer.parseInt(parts[0])) / (double) n;
            double pyv = py.get(parts[1]) / (double) n;
            mi += pxy * Math.log(pxy / (pxv * pyv));
        }
        return mi;
    }

    private static int bin(double[] edges, double v) {
        int b = 0;
        while (b < edges.length && v > edges[b]) {
            b++;
        }
        return b;
    }

    static double chi2(double[] x, String[] y, String column, Params p) {
        Map<String, Double> observed = new HashMap<>();
        Map<String, Integer> classCount = new HashMap<>();
        double total = 0;
        for (int i = 0; i < x.length; i++) {
            double v = Double.isNaN(x[i]) ? 0 : x[i];
            if (v < 0) {
                throw p.error("method", "chi2 needs non-negative values; column '" + column + "' has " + v);
            }
            observed.merge(y[i], v, Double::sum);
            classCount.merge(y[i], 1, Integer::sum);
            total += v;
        }
        double chi = 0;
        for (Map.Entry<String, Integer> e : classCount.entrySet()) {
            double expected = total * e.getValue() / x.length;
            if (expected > 0) {
                double o = observed.get(e.getKey());
                chi += (o - expected) * (o - expected) / expected;
            }
        }
        return chi;
    }

    final class Selected extends Fitted {
        private final List<String> dropped;
        private final int[] keep;
        private final Schema output;

        Selected(Schema input, List<String> dropped) {
            super(input);
            this.dropped = dropped;
            List<Field> out = new ArrayList<>();
            List<Integer> k = new ArrayList<>();
            for (int i = 0; i < input.size(); i++) {
                if (!dropped.contains(input.fields().get(i).name())) {
                    out.add(input.fields().get(i));
                    k.add(i);
                }
            }
            this.keep = k.stream().mapToInt(Integer::intValue).toArray();
            this.output = new Schema(out);
        }

        @Override
        public Schema outputSchema() {
            return output;
        }

        @Override
        public Row apply(Row row) {
            Object[] v = new Object[keep.length];
            for (int i = 0; i < keep.length; i++) {
                v[i] = row.get(keep[i]);
            }
            return new Row(output, v);
        }

        @Override
        ObjectNode state() {
            ObjectNode s = State.JSON.createObjectNode();
            dropped.forEach(s.putArray("dropped")::add);
            return s;
        }
    }
}
