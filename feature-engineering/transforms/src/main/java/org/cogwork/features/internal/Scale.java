package org.cogwork.features.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.cogwork.api.data.DataType;
import org.cogwork.api.data.Dataset;
import org.cogwork.api.data.Field;
import org.cogwork.api.data.Row;
import org.cogwork.api.data.RowCursor;
import org.cogwork.api.data.Schema;
import org.cogwork.api.feature.FeatureTransform;
import org.osgi.service.component.annotations.Component;

/**
 * Scaling of numeric columns: {@code standardize} (mean 0, sd 1), {@code minmax} (to [0, 1]) and
 * {@code robust} (median 0, interquartile range 1). Statistics come from training rows only; missing values
 * stay missing (impute first when the engine needs them).
 */
public abstract class Scale extends Transform {
    Scale(String name) {
        super(name, Param.columns());
    }

    @Component(service = FeatureTransform.class, property = FeatureTransform.TRANSFORM_NAME + "=standardize")
    public static final class Standardize extends Scale {
        public Standardize() {
            super("standardize");
        }

        @Override
        double[] stats(double[] v) {
            double mean = Arrays.stream(v).average().orElse(0);
            double var = Arrays.stream(v).map(x -> (x - mean) * (x - mean)).sum() / Math.max(1, v.length - 1);
            return new double[] {mean, Math.sqrt(var)};
        }
    }

    @Component(service = FeatureTransform.class, property = FeatureTransform.TRANSFORM_NAME + "=minmax")
    public static final class MinMax extends Scale {
        public MinMax() {
            super("minmax");
        }

        @Override
        double[] stats(double[] v) {
            double min = Arrays.stream(v).min().orElse(0);
            double max = Arrays.stream(v).max().orElse(1);
            return new double[] {min, max - min};
        }
    }

    @Component(service = FeatureTransform.class, property = FeatureTransform.TRANSFORM_NAME + "=robust")
    public static final class Robust extends Scale {
        public Robust() {
            super("robust");
        }

        @Override
        double[] stats(double[] v) {
            double[] s = v.clone();
            Arrays.sort(s);
            return new double[] {quantile(s, 0.5), quantile(s, 0.75) - quantile(s, 0.25)};
        }
    }

    static double quantile(double[] sorted, double q) {
        if (sorted.length == 0) {
            return 0;
        }
        double pos = q * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = (int) Math.ceil(pos);
        return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
    }

    /** {center, scale} of the non-missing training values. */
    abstract double[] stats(double[] values);

    @Override
    Fitted fit(Schema input, Dataset data, Params p) {
        List<String> cols = p.columns(input, Params::numeric, "numeric");
        int[] at = cols.stream().mapToInt(input::indexOf).toArray();
        double[][] values = new double[cols.size()][64];
        int[] counts = new int[cols.size()];
        try (RowCursor c = data.open()) {
            while (c.hasNext()) {
                Row r = c.next();
                for (int k = 0; k < at.length; k++) {
                    double x = State.number(r, at[k]);
                    if (!Double.isNaN(x)) {
                        if (counts[k] == values[k].length) {
                            values[k] = Arrays.copyOf(values[k], values[k].length * 2);
                        }
                        values[k][counts[k]++] = x;
                    }
                }
            }
        }
        double[] center = new double[cols.size()];
        double[] scale = new double[cols.size()];
        for (int k = 0; k < cols.size(); k++) {
            double[] s = stats(Arrays.copyOf(values[k], counts[k]));
            center[k] = s[0];
            scale[k] = s[1] == 0 || Double.isNaN(s[1]) ? 1 : s[1];
        }
        return new Scaled(input, cols, center, scale);
    }

    @Override
    Fitted restore(Schema input, JsonNode state) {
        List<String> cols = new ArrayList<>();
        state.path("columns").forEach(n -> cols.add(n.asText()));
        double[] center = new double[cols.size()];
        double[] scale = new double[cols.size()];
        for (int k = 0; k < cols.size(); k++) {
            center[k] = state.path("center").get(k).asDouble();
            scale[k] = state.path("scale").get(k).asDouble();
        }
        return new Scaled(input, cols, center, scale);
    }

    final class Scaled extends Fitted {
        private final List<String> columns;
        private final double[] center;
        private final double[] scale;
        private final int[] positions;
        private final Schema output;

        Scaled(Schema input, List<String> columns, double[] center, double[] scale) {
            super(input);
            this.columns = columns;
            this.center = center;
            this.scale = scale;
            this.positions = columns.stream().mapToInt(input::indexOf).toArray();
            List<Field> out = new ArrayList<>(input.fields());
            for (int p : positions) {
                out.set(p, new Field(out.get(p).name(), DataType.DOUBLE, true));
            }
            this.output = new Schema(out);
        }

        @Override
        public Schema outputSchema() {
            return output;
        }

        @Override
        public Row apply(Row row) {
            Object[] v = row.values();
            for (int k = 0; k < positions.length; k++) {
                double x = State.number(row, positions[k]);
                v[positions[k]] = Double.isNaN(x) ? null : (x - center[k]) / scale[k];
            }
            return new Row(output, v);
        }

        @Override
        ObjectNode state() {
            ObjectNode s = State.JSON.createObjectNode();
            columns.forEach(s.putArray("columns")::add);
            Arrays.stream(center).forEach(s.putArray("center")::add);
            Arrays.stream(scale).forEach(s.putArray("scale")::add);
            return s;
        }
    }
}
