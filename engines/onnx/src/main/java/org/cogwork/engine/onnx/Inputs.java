package org.cogwork.engine.onnx;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.TensorInfo;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.cogwork.api.data.DataType;
import org.cogwork.api.data.Field;
import org.cogwork.api.data.Row;
import org.cogwork.api.data.Schema;
import org.cogwork.api.data.Vector;

/**
 * How feature columns feed an ONNX model's inputs. Two layouts are supported, chosen from the model's own input
 * declarations:
 * <ul>
 *   <li><b>one row tensor</b>: the model has a single input that names no feature column, a float or double tensor
 *   [N, F]; the features fill it in the pipeline's order, numbers and booleans one slot each, a VECTOR column its
 *   dimension (what PyTorch exports, and skl2onnx given one {@code FloatTensorType([None, F])});</li>
 *   <li><b>one input per column</b>: every model input names a feature column; each is a tensor [N, 1] or [N] of
 *   float/double (INT, DOUBLE, BOOLEAN columns), int64/int32 (INT, BOOLEAN), string (CATEGORICAL, STRING, TEXT) or bool
 *   (BOOLEAN), as skl2onnx makes when given one input per column. Feature columns no input names are not used.</li>
 * </ul>
 * Anything else (several inputs not named after columns, sequences or maps as inputs, a fixed batch size other than
 * 1) is refused with a message naming the input and what it declares. A missing number is NaN (the model's imputer
 * decides), a missing category the empty string; an integer input has no missing value, and a row without one is
 * refused naming the column. Immutable; {@link #tensors} is thread-safe.
 */
final class Inputs {
    enum Layout { ROW_TENSOR, PER_COLUMN }

    /** One feature column: where it goes (input name, slot offset and width in a row tensor). */
    record Column(String name, DataType type, String input, OnnxJavaType onnxType, int offset, int width) {
    }

    private final Layout layout;
    private final Schema schema;
    private final List<Column> columns;
    private final int width;
    /** The row tensor's rank (2: [N, F]) or per column: 1 for [N], 2 for [N, 1]; the same for every input here. */
    private final Map<String, Integer> ranks;
    /** Whether the model takes one row per call (its batch dimension is fixed at 1). */
    private final boolean singleRow;
    private final List<String> unused;

    private Inputs(Layout layout, Schema schema, List<Column> columns, Map<String, Integer> ranks, boolean singleRow,
                   List<String> unused) {
        this.layout = layout;
        this.schema = schema;
        this.columns = columns;
        this.width = columns.stream().mapToInt(Column::width).sum();
        this.ranks = ranks;
        this.singleRow = singleRow;
        this.unused = unused;
    }

    /**
     * Binds the model's inputs to the feature columns.
     *
     * @param vectorWidths the dimension of each VECTOR feature column (from the training rows, or from a saved model)
     * @throws IllegalArgumentException naming the model input and the column when they do not fit
     */
    static Inputs bind(Map<String, NodeInfo> modelInputs, Schema features, Map<String, Integer> vectorWidths) {
        if (modelInputs.isEmpty()) {
            throw new IllegalArgumentException("the ONNX model declares no inputs");
        }
        List<String> names = List.copyOf(modelInputs.keySet());
        List<String> featureNames = features.fields().stream().map(Field::name).toList();
        if (featureNames.containsAll(names)) {
            return perColumn(modelInputs, features);
        }
        if (names.size() > 1) {
            List<String> strangers = names.stream().filter(n -> !featureNames.contains(n)).toList();
            throw new IllegalArgumentException("the ONNX model's inputs " + strangers + " name no feature column (features: "
                    + featureNames + "); a model with several inputs must take one feature column each, named as the column");
        }
        return rowTensor(names.get(0), modelInputs.get(names.get(0)), features, vectorWidths);
    }

    private static Inputs rowTensor(String input, NodeInfo node, Schema features, Map<String, Integer> vectorWidths) {
        TensorInfo t = tensor(input, node);
        if (t.type != OnnxJavaType.FLOAT && t.type != OnnxJavaType.DOUBLE) {
            throw new IllegalArgumentException("the ONNX model's one input '" + input + "' is a " + t.type + " tensor " + shape(t)
                    + "; one input for all features must be float or double [N, F] (or name it after a feature column)");
        }
        long[] shape = t.getShape();
        if (shape.length != 2) {
            throw new IllegalArgumentException("the ONNX model's one input '" + input + "' has shape " + shape(t)
                    + "; one input for all features must be [N, F]");
        }
        List<Column> columns = new ArrayList<>();
        int offset = 0;
        for (Field f : features.fields()) {
            int w = switch (f.type()) {
                case INT, DOUBLE, BOOLEAN -> 1;
                case VECTOR -> {
                    Integer d = vectorWidths.get(f.name());
                    if (d == null || d < 1) {
                        throw new IllegalArgumentException("column '" + f.name() + "' holds no vector to learn its dimension from");
                    }
                    yield d;
                }
                default -> throw new IllegalArgumentException("column '" + f.name() + "' is " + f.type() + " and the ONNX "
                        + "model's one input '" + input + "' is a " + t.type + " tensor " + shape(t) + ": encode the column "
                        + "before the engine (e.g. the onehot transform) or export the model with one input per column");
            };
            columns.add(new Column(f.name(), f.type(), input, t.type, offset, w));
            offset += w;
        }
        if (offset == 0) {
            throw new IllegalArgumentException("no feature columns to feed the ONNX model's input '" + input + "'");
        }
        if (shape[1] > 0 && shape[1] != offset) {
            throw new IllegalArgumentException("the ONNX model's input '" + input + "' takes " + shape[1]
                    + " values per row, the features give " + offset + " (" + String.join(", ",
                    features.fields().stream().map(Field::name).toList()) + ")");
        }
        return new Inputs(Layout.ROW_TENSOR, features, List.copyOf(columns), Map.of(input, 2), singleRow(input, t), List.of());
    }

    private static Inputs perColumn(Map<String, NodeInfo> modelInputs, Schema features) {
        List<Column> columns = new ArrayList<>();
        List<Field> fields = new ArrayList<>();
        Map<String, Integer> ranks = new LinkedHashMap<>();
        boolean singleRow = false;
        for (Map.Entry<String, NodeInfo> e : modelInputs.entrySet()) {
            String input = e.getKey();
            TensorInfo t = tensor(input, e.getValue());
            Field f = features.require(input);
            long[] shape = t.getShape();
            if (shape.length < 1 || shape.length > 2 || (shape.length == 2 && shape[1] != 1 && shape[1] > 0)) {
                throw new IllegalArgumentException("the ONNX model's input '" + input + "' has shape " + shape(t)
                        + "; an input per column must be [N, 1] or [N]");
            }
            Set<DataType> fits = switch (t.type) {
                case FLOAT, DOUBLE -> Set.of(DataType.INT, DataType.DOUBLE, DataType.BOOLEAN);
                case INT64, INT32 -> Set.of(DataType.INT, DataType.BOOLEAN);
                case STRING -> Set.of(DataType.CATEGORICAL, DataType.STRING, DataType.TEXT);
                case BOOL -> Set.of(DataType.BOOLEAN);
                default -> Set.of();
            };
            if (!fits.contains(f.type())) {
                throw new IllegalArgumentException("the ONNX model's input '" + input + "' is a " + t.type + " tensor "
                        + shape(t) + " and column '" + input + "' is " + f.type() + (fits.isEmpty()
                        ? "; this engine feeds float, double, int64, int32, string and bool inputs" : "; it takes " + fits));
            }
            columns.add(new Column(input, f.type(), input, t.type, columns.size(), 1));
            fields.add(f);
            ranks.put(input, shape.length);
            singleRow |= singleRow(input, t);
        }
        List<String> unused = features.fields().stream().map(Field::name).filter(n -> !modelInputs.containsKey(n)).toList();
        return new Inputs(Layout.PER_COLUMN, new Schema(fields), List.copyOf(columns), Map.copyOf(ranks), singleRow, unused);
    }

    private static TensorInfo tensor(String input, NodeInfo node) {
        if (!(node.getInfo() instanceof TensorInfo t)) {
            throw new IllegalArgumentException("the ONNX model's input '" + input + "' is " + node.getInfo()
                    + "; this engine feeds tensors only");
        }
        return t;
    }

    private static boolean singleRow(String input, TensorInfo t) {
        long batch = t.getShape()[0];
        if (batch > 1) {
            throw new IllegalArgumentException("the ONNX model's input '" + input + "' has a fixed batch size of " + batch
                    + " (shape " + shape(t) + "); export it with a dynamic first axis (torch.onnx.export's dynamic_axes)");
        }
        return batch == 1;
    }

    static String shape(TensorInfo t) {
        return Arrays.toString(Arrays.stream(t.getShape()).mapToObj(d -> d < 0 ? "N" : Long.toString(d)).toArray());
    }

    Layout layout() {
        return layout;
    }

    /** The feature columns the model uses, in the order they feed it. */
    Schema schema() {
        return schema;
    }

    boolean singleRow() {
        return singleRow;
    }

    List<String> unused() {
        return unused;
    }

    /** The tensors for {@code rows}, by input name; the caller closes them. */
    Map<String, OnnxTensor> tensors(OrtEnvironment env, List<Row> rows) throws OrtException {
        int n = rows.size();
        int[][] positions = new int[n][];
        Schema last = null;
        for (int r = 0; r < n; r++) {
            Schema rs = rows.get(r).schema();
            positions[r] = rs == last ? positions[r - 1] : positions(rs); // a batch shares one schema: looked up once
            last = rs;
        }
        Map<String, OnnxTensor> out = new LinkedHashMap<>();
        try {
            if (layout == Layout.ROW_TENSOR) {
                Column first = columns.get(0);
                boolean dbl = first.onnxType == OnnxJavaType.DOUBLE;
                double[] x = new double[n * width];
                for (int r = 0; r < n; r++) {
                    Row row = rows.get(r);
                    for (int c = 0; c < columns.size(); c++) {
                        write(columns.get(c), row.get(positions[r][c]), x, r * width + columns.get(c).offset);
                    }
                }
                long[] shape = {n, width};
                out.put(first.input, dbl ? OnnxTensor.createTensor(env, doubles(x), shape)
                        : OnnxTensor.createTensor(env, floats(x), shape));
                return out;
            }
            for (int c = 0; c < columns.size(); c++) {
                Column col = columns.get(c);
                long[] shape = ranks.get(col.input) == 1 ? new long[] {n} : new long[] {n, 1};
                OnnxTensor tensor;
                if (col.onnxType == OnnxJavaType.STRING) {
                    String[] s = new String[n];
                    for (int r = 0; r < n; r++) {
                        Object v = rows.get(r).get(positions[r][c]);
                        if (v != null && !(v instanceof String)) {
                            throw wrongType(col, v);
                        }
                        s[r] = v == null ? "" : (String) v;
                    }
                    tensor = OnnxTensor.createTensor(env, s, shape);
                } else if (col.onnxType == OnnxJavaType.BOOL) {
                    ByteBuffer b = ByteBuffer.allocateDirect(n).order(ByteOrder.nativeOrder());
                    for (int r = 0; r < n; r++) {
                        Object v = rows.get(r).get(positions[r][c]);
                        if (!(v instanceof Boolean bool)) {
                            throw v == null ? missing(col) : wrongType(col, v);
                        }
                        b.put(r, (byte) (bool ? 1 : 0));
                    }
                    tensor = OnnxTensor.createTensor(env, b, shape, OnnxJavaType.BOOL);
                } else {
                    double[] x = new double[n];
                    for (int r = 0; r < n; r++) {
                        Object v = rows.get(r).get(positions[r][c]);
                        if (v == null && (col.onnxType == OnnxJavaType.INT64 || col.onnxType == OnnxJavaType.INT32)) {
                            throw missing(col);
                        }
                        write(col, v, x, r);
                    }
                    tensor = switch (col.onnxType) {
                        case DOUBLE -> OnnxTensor.createTensor(env, doubles(x), shape);
                        case INT64 -> OnnxTensor.createTensor(env, LongBuffer.wrap(Arrays.stream(x).mapToLong(d -> (long) d).toArray()), shape);
                        case INT32 -> OnnxTensor.createTensor(env, IntBuffer.wrap(Arrays.stream(x).mapToInt(d -> (int) d).toArray()), shape);
                        default -> OnnxTensor.createTensor(env, floats(x), shape);
                    };
                }
                out.put(col.input, tensor);
            }
            return out;
        } catch (OrtException | RuntimeException e) {
            out.values().forEach(OnnxTensor::close);
            throw e;
        }
    }

    /** Writes a number, boolean or vector into {@code x[at, at + width)}; a missing value is NaN. */
    private static void write(Column c, Object v, double[] x, int at) {
        if (v == null) {
            Arrays.fill(x, at, at + c.width, Double.NaN);
        } else if (c.type == DataType.VECTOR) {
            if (!(v instanceof Vector vec)) {
                throw wrongType(c, v);
            }
            if (vec.dimension() != c.width) {
                throw new IllegalArgumentException("column '" + c.name + "' must be a vector of dimension " + c.width
                        + ", was " + vec.dimension());
            }
            for (int k = 0; k < c.width; k++) {
                x[at + k] = vec.get(k);
            }
        } else if (v instanceof Number num && c.type != DataType.BOOLEAN) {
            x[at] = num.doubleValue();
        } else if (v instanceof Boolean b && c.type == DataType.BOOLEAN) {
            x[at] = b ? 1 : 0;
        } else {
            throw wrongType(c, v);
        }
    }

    private static FloatBuffer floats(double[] x) {
        FloatBuffer f = ByteBuffer.allocateDirect(x.length * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
        for (double d : x) {
            f.put((float) d);
        }
        return f.rewind();
    }

    private static DoubleBuffer doubles(double[] x) {
        DoubleBuffer d = ByteBuffer.allocateDirect(x.length * Double.BYTES).order(ByteOrder.nativeOrder()).asDoubleBuffer();
        return d.put(x).rewind();
    }

    /** Where each column sits in rows of {@code rs}. */
    private int[] positions(Schema rs) {
        int[] p = new int[columns.size()];
        for (int c = 0; c < p.length; c++) {
            p[c] = rs.indexOf(columns.get(c).name);
            if (p[c] < 0) {
                throw new IllegalArgumentException("missing feature '" + columns.get(c).name + "'");
            }
        }
        return p;
    }

    private static IllegalArgumentException wrongType(Column c, Object v) {
        return new IllegalArgumentException("column '" + c.name + "' is " + c.type + " but holds a "
                + v.getClass().getSimpleName() + " (" + v + ")");
    }

    private static IllegalArgumentException missing(Column c) {
        return new IllegalArgumentException("column '" + c.name + "' has a missing value and the ONNX model's input '"
                + c.input + "' is " + c.onnxType + ", which has none");
    }

    /** The feature columns with their types and vector widths, for the saved header. */
    ArrayNode toJson() {
        ArrayNode a = ModelFile.JSON.createArrayNode();
        for (Column c : columns) {
            a.addObject().put("name", c.name).put("type", c.type.name()).put("width", c.width);
        }
        return a;
    }

    /** The columns written by {@link #toJson}: the schema to bind again and the vector widths. */
    static Schema schemaFromJson(JsonNode columns, Map<String, Integer> vectorWidths) {
        List<Field> fields = new ArrayList<>();
        for (JsonNode c : columns) {
            DataType type = DataType.valueOf(c.path("type").asText());
            fields.add(new Field(c.path("name").asText(), type, true));
            if (type == DataType.VECTOR) {
                vectorWidths.put(c.path("name").asText(), c.path("width").asInt());
            }
        }
        return new Schema(fields);
    }

    /** For provenance: the layout and each model input with the column(s) feeding it. */
    Map<String, Object> describe() {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("layout", layout == Layout.ROW_TENSOR ? "one float tensor [N, " + width + "]" : "one input per column");
        Map<String, Object> feeds = new LinkedHashMap<>();
        for (Column c : columns) {
            feeds.computeIfAbsent(c.input, k -> new ArrayList<String>());
            @SuppressWarnings("unchecked")
            List<String> l = (List<String>) feeds.get(c.input);
            l.add(c.name);
        }
        d.put("inputs", feeds);
        if (!unused.isEmpty()) {
            d.put("unusedColumns", unused);
        }
        return d;
    }
}
