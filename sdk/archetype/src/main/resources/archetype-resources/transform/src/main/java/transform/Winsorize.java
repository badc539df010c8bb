package ${package}.transform;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.cogwork.api.data.DataType;
import org.cogwork.api.data.Dataset;
import org.cogwork.api.data.Field;
import org.cogwork.api.data.Row;
import org.cogwork.api.data.RowCursor;
import org.cogwork.api.data.Schema;
import org.cogwork.api.feature.FeatureTransform;
import org.cogwork.api.feature.FittedTransform;
import org.cogwork.api.problem.InvalidFieldException;
import org.osgi.service.component.annotations.Component;

/**
 * {@code winsorize}: clips numeric {@code columns} (default: all but the target) to the {@code lower} and
 * {@code upper} quantiles of the training rows (default 0.01 and 0.99), taming outliers without dropping rows.
 * A complete transform in one class, using only the API: what a plugin author writes.
 */
@Component(service = FeatureTransform.class, property = FeatureTransform.TRANSFORM_NAME + "=${pluginName}-winsorize")
public class Winsorize implements FeatureTransform {
    @Override
    public String name() {
        return "${pluginName}-winsorize";
    }

    /** Names, types and ranges, without data: a wrong parameter is refused when the training spec is submitted. */
    @Override
    public void validate(Map<String, Object> params) {
        for (String k : params.keySet()) {
            if (!List.of("columns", "lower", "upper", "target").contains(k)) {
                throw new InvalidFieldException(k, "winsorize: unknown parameter '" + k + "'; use [columns, lower, upper]");
            }
        }
        Object columns = params.get("columns");
        if (columns != null && !(columns instanceof List<?> l && l.stream().allMatch(c -> c instanceof String))) {
            throw new InvalidFieldException("columns", "winsorize.columns: must be an array of column names");
        }
        double lower = number(params, "lower", 0.01);
        double upper = number(params, "upper", 0.99);
        if (!(lower >= 0 && lower < upper && upper <= 1)) {
            throw new InvalidFieldException(params.containsKey("lower") ? "lower" : "upper",
                    "winsorize.lower/upper: need 0 <= lower < upper <= 1, were " + lower + ", " + upper);
        }
    }

    @Override
    public FittedTransform fit(Dataset training, Map<String, Object> params) {
        try {
            validate(params);
        } catch (InvalidFieldException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        double lower = number(params, "lower", 0.01);
        double upper = number(params, "upper", 0.99);
        Schema schema = training.schema();
        List<String> cols = new ArrayList<>();
        if (params.get("columns") instanceof List<?> l) {
            for (Object c : l) {
                Field f = schema.field(String.valueOf(c)).orElseThrow(() -> new IllegalArgumentException(
                        "winsorize.columns: unknown column '" + c + "'"));
                if (!f.type().isNumeric()) {
                    throw new IllegalArgumentException("winsorize.columns: column '" + c + "' is " + f.type() + ", not numeric");
                }
                cols.add(f.name());
            }
        } else {
            schema.fields().stream().filter(f -> f.type().isNumeric() && !f.name().equals(params.get("target")))
                    .forEach(f -> cols.add(f.name()));
        }
        double[] lo = new double[cols.size()];
        double[] hi = new double[cols.size()];
        for (int k = 0; k < cols.size(); k++) {
            int i = schema.indexOf(cols.get(k));
            List<Double> v = new ArrayList<>();
            try (RowCursor c = training.open()) {
                while (c.hasNext()) {
                    Object x = c.next().get(i);
                    if (x instanceof Number n) {
                        v.add(n.doubleValue());
                    }
                }
            }
            double[] s = v.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            lo[k] = s.length == 0 ? Double.NEGATIVE_INFINITY : s[(int) Math.floor(lower * (s.length - 1))];
            hi[k] = s.length == 0 ? Double.POSITIVE_INFINITY : s[(int) Math.ceil(upper * (s.length - 1))];
        }
        return new Fitted(schema, cols, lo, hi);
    }

    private static double number(Map<String, Object> p, String k, double dflt) {
        Object v = p.get(k);
        if (v == null) {
            return dflt;
        }
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        throw new InvalidFieldException(k, "winsorize." + k + ": must be a number, was " + (v instanceof String ? "'" + v + "'" : v));
    }

    @Override
    public FittedTransform load(InputStream in) throws IOException {
        Properties p = new Properties();
        p.load(new java.io.InputStreamReader(in, StandardCharsets.UTF_8));
        if (p.getProperty("inputs") == null || p.getProperty("columns") == null) {
            // found by the transform contract suite: garbage loaded as an empty transform that dropped every column
            throw new IOException("not a saved winsorize transform (no inputs or columns)");
        }
        int n = Integer.parseInt(p.getProperty("columns", "0"));
        List<Field> fields = new ArrayList<>();
        int inputs = Integer.parseInt(p.getProperty("inputs", "0"));
        for (int i = 0; i < inputs; i++) {
            String[] f = p.getProperty("input." + i).split(":", 2);
            fields.add(Field.of(f[0], DataType.valueOf(f[1])));
        }
        List<String> cols = new ArrayList<>();
        double[] lo = new double[n];
        double[] hi = new double[n];
        for (int k = 0; k < n; k++) {
            cols.add(p.getProperty("column." + k));
            lo[k] = Double.parseDouble(p.getProperty("lower." + k));
            hi[k] = Double.parseDouble(p.getProperty("upper." + k));
        }
        return new Fitted(new Schema(fields), cols, lo, hi);
    }

    /** The fitted bounds; the output schema keeps names, clipped columns become DOUBLE. */
    static final class Fitted implements FittedTransform {
        private final Schema input;
        private final List<String> cols;
        private final double[] lo;
        private final double[] hi;
        private final int[] positions;
        private final Schema output;

        Fitted(Schema input, List<String> cols, double[] lo, double[] hi) {
            this.input = input;
            this.cols = cols;
            this.lo = lo;
            this.hi = hi;
            this.positions = cols.stream().mapToInt(input::indexOf).toArray();
            List<Field> out = new ArrayList<>(input.fields());
            for (int p : positions) {
                out.set(p, Field.of(out.get(p).name(), DataType.DOUBLE));
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
                Object x = v[positions[k]];
                if (x instanceof Number n) {
                    v[positions[k]] = Math.max(lo[k], Math.min(hi[k], n.doubleValue()));
                }
            }
            return new Row(output, v);
        }

        @Override
        public void save(OutputStream out) throws IOException {
            Properties p = new Properties();
            p.setProperty("inputs", Integer.toString(input.size()));
            for (int i = 0; i < input.size(); i++) {
                p.setProperty("input." + i, input.fields().get(i).name() + ":" + input.fields().get(i).type());
            }
            p.setProperty("columns", Integer.toString(cols.size()));
            for (int k = 0; k < cols.size(); k++) {
                p.setProperty("column." + k, cols.get(k));
                p.setProperty("lower." + k, Double.toString(lo[k]));
                p.setProperty("upper." + k, Double.toString(hi[k]));
            }
            java.io.Writer w = new java.io.OutputStreamWriter(out, StandardCharsets.UTF_8);
            p.store(w, "${pluginName}-winsorize");
            w.flush();
        }
    }
}
