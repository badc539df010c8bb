package org.cogwork.features.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import org.cogwork.api.data.DataType;
import org.cogwork.api.data.Dataset;
import org.cogwork.api.data.Field;
import org.cogwork.api.data.Row;
import org.cogwork.api.data.RowCursor;
import org.cogwork.api.data.Schema;
import org.cogwork.api.feature.FeatureTransform;
import org.osgi.service.component.annotations.Component;

/**
 * Target encoding: a categorical level becomes the smoothed mean of the target over training rows with that
 * level ({@code (n * mean + smoothing * prior) / (n + smoothing)}). For a classification target (categorical)
 * it encodes the share of each class but the first, one column per class. On the training rows themselves
 * the values are computed out of fold ({@code folds}, shuffled with {@code seed}), so a row's own target
 * never leaks into its features.
 */
@Component(service = FeatureTransform.class, property = FeatureTransform.TRANSFORM_NAME + "=target")
public final class TargetEncode extends Transform {
    public TargetEncode() {
        super("target", Param.columns(), Param.number("smoothing", 0), Param.whole("folds", 2),
                Param.whole("seed", Long.MIN_VALUE, Long.MAX_VALUE));
    }

    /** Per column, level → encoded values (one per output class). */
    record Table(List<String> classes, Map<String, Map<String, double[]>> codes, double[] prior) {
    }

    @Override
    Fitted fit(Schema input, Dataset data, Params p) {
        String target = p.target();
        if (target == null || input.indexOf(target) < 0) {
            throw p.error("target", "target encoding needs the training target");
        }
        List<String> cols = p.columns(input, Params::categorical, "categorical");
        double smoothing = p.number("smoothing", 10);
        int folds = p.integer("folds", 5);
        long seed = p.whole("seed", 42);
        List<Row> rows = data.toList();
        boolean numericTarget = input.require(target).type().isNumeric();
        List<String> classes = new ArrayList<>();
        if (!numericTarget) {
            TreeSet<String> all = new TreeSet<>();
            rows.forEach(r -> {
                Object t = r.get(input.indexOf(target));
                if (t != null) {
                    all.add(t.toString());
                }
            });
            classes.addAll(all);
            if (classes.size() < 2) {
                throw p.error("target", "target '" + target + "' has fewer than two classes");
            }
            classes.remove(0);
        }
        Table full = table(input, rows, cols, target, classes, smoothing, numericTarget);
        return new Encoded(input, cols, full, numericTarget, smoothing, folds, seed, target);
    }

    static Table table(Schema input, List<Row> rows, List<String> cols, String target, List<String> classes,
                       double smoothing, boolean numericTarget) {
        int width = numericTarget ? 1 : classes.size();
        double[] prior = new double[width];
        long n = 0;
        Map<String, Map<String, double[]>> sums = new LinkedHashMap<>();
        Map<String, Map<String, Long>> counts = new HashMap<>();
        cols.forEach(c -> {
            sums.put(c, new LinkedHashMap<>());
            counts.put(c, new HashMap<>());
        });
        int t = input.indexOf(target);
        for (Row r : rows) {
            Object y = r.get(t);
            if (y == null) {
                continue;
            }
            double[] yv = encodeTarget(y, classes, numericTarget);
            n++;
            for (int k = 0; k < width; k++) {
                prior[k] += yv[k];
            }
            for (String c : cols) {
                Object v = r.get(input.indexOf(c));
                if (v != null) {
                    double[] s = sums.get(c).computeIfAbsent(v.toString(), x -> new double[width]);
                    for (int k = 0; k < width; k++) {
                        s[k] += yv[k];
                    }
                    counts.get(c).merge(v.toString(), 1L, Long::sum);
                }
            }
        }
        for (int k = 0; k < width; k++) {
            prior[k] = n == 0 ? 0 : prior[k] / n;
        }
        Map<String, Map<String, double[]>> codes = new LinkedHashMap<>();
        for (String c : cols) {
            Map<String, double[]> m = new LinkedHashMap<>();
            for (Map.Entry<String, double[]> e : sums.get(c).entrySet()) {
                long cnt = counts.get(c).get(e.getKey());
                double[] enc = new double[width];
                for (int k = 0; k < width; k++) {
                    enc[k] = (e.getValue()[k] + smoothing * prior[k]) / (cnt + smoothing);
                }
                m.put(e.getKey(), enc);
            }
            codes.put(c, m);
        }
        return new Table(classes, codes, prior);
    }

    private static double[] encodeTarget(Object y, List<String> classes, boolean numeric) {
        if (numeric) {
            return new double[] {((Number) y).doubleValue()};
        }
        double[] v = new double[classes.size()];
        int i = classes.indexOf(y.toString());
        if (i >= 0) {
            v[i] = 1;
        }
        return v;
    }

    @Override
    Fitted restore(Schema input, JsonNode s) {
        List<String> cols = new ArrayList<>();
        s.path("columns").forEach(n -> cols.add(n.asText()));
        List<String> classes = new ArrayList<>();
        s.path("classes").forEach(n -> classes.add(n.asText()));
        double[] prior = State.JSON.convertValue(s.path("prior"), double[].class);
        Map<String, Map<String, double[]>> codes = new LinkedHashMap<>();
        s.path("codes").fields().forEachRemaining(e -> {
            Map<String, double[]> m = new LinkedHashMap<>();
            e.getValue().fields().forEachRemaining(l -> m.put(l.getKey(), State.JSON.convertValue(l.getValue(), double[].class)));
            codes.put(e.getKey(), m);
        });
        return new Encoded(input, cols, new Table(classes, codes, prior), s.path("numericTarget").asBoolean(),
                s.path("smoothing").asDouble(), s.path("folds").asInt(), s.path("seed").asLong(), s.path("target").asText());
    }

    final class Encoded extends Fitted {
        private final List<String> cols;
        private final Table full;
        private final boolean numericTarget;
        private final double smoothing;
        private final int folds;
        private final long seed;
        private final String target;
        private final Schema output;

        Encoded(Schema input, List<String> cols, Table full, boolean numericTarget, double smoothing, int folds, long seed,
                String target) {
            super(input);
            this.cols = cols;
            this.full = full;
            this.numericTarget = numericTarget;
            this.smoothing = smoothing;
            this.folds = folds;
            this.seed = seed;
            this.target = target;
            List<Field> out = new ArrayList<>();
            for (Field f : input.fields()) {
                if (!cols.contains(f.name())) {
                    out.add(f);
                } else if (numericTarget) {
                    out.add(new Field(f.name(), DataType.DOUBLE, false));
                } else {
                    for (String c : full.classes()) {
                        out.add(new Field(f.name() + "~" + c, DataType.DOUBLE, false));
                    }
                }
            }
            this.output = new Schema(out);
        }

        @Override
        public Schema outputSchema() {
            return output;
        }

        @Override
        public Row apply(Row row) {
            return encode(row, full);
        }

        private Row encode(Row row, Table table) {
            Object[] v = new Object[output.size()];
            int k = 0;
            for (int i = 0; i < input.size(); i++) {
                String name = input.fields().get(i).name();
                if (!cols.contains(name)) {
                    v[k++] = row.get(i);
                    continue;
                }
                Object level = row.get(i);
                double[] enc = level == null ? null : table.codes().get(name).get(level.toString());
                double[] values = enc == null ? table.prior() : enc;
                for (double x : values) {
                    v[k++] = x;
                }
            }
            return new Row(output, v);
        }

        @Override
        public Dataset applyToTraining(Dataset training) {
            List<Row> rows = training.toList();
            int[] fold = new int[rows.size()];
            List<Integer> idx = new ArrayList<>();
            for (int i = 0; i < rows.size(); i++) {
                idx.add(i);
            }
            java.util.Collections.shuffle(idx, new Random(seed));
            for (int i = 0; i < idx.size(); i++) {
                fold[idx.get(i)] = i % folds;
            }
            List<Row> out = new ArrayList<>(rows.size());
            List<Table> tables = new ArrayList<>();
            for (int f = 0; f < folds; f++) {
                List<Row> others = new ArrayList<>();
                for (int i = 0; i < rows.size(); i++) {
                    if (fold[i] != f) {
                        others.add(rows.get(i));
                    }
                }
                tables.add(table(input, others, cols, target, full.classes(), smoothing, numericTarget));
            }
            for (int i = 0; i < rows.size(); i++) {
                out.add(encode(rows.get(i), tables.get(fold[i])));
            }
            return Dataset.of(output, out);
        }

        @Override
        ObjectNode state() {
            ObjectNode s = State.JSON.createObjectNode();
            cols.forEach(s.putArray("columns")::add);
            full.classes().forEach(s.putArray("classes")::add);
            s.set("prior", State.JSON.valueToTree(full.prior()));
            s.set("codes", State.JSON.valueToTree(full.codes()));
            s.put("numericTarget", numericTarget);
            s.put("smoothing", smoothing);
            s.put("folds", folds);
            s.put("seed", seed);
            s.put("target", target);
            return s;
        }
    }
}
