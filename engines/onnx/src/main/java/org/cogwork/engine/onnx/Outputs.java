package org.cogwork.engine.onnx;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxMap;
import ai.onnxruntime.OnnxSequence;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.SequenceInfo;
import ai.onnxruntime.TensorInfo;
import java.lang.reflect.Array;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.cogwork.api.engine.Task;

/**
 * Which of an ONNX model's outputs this engine reads, chosen from the model's output declarations.
 * <ul>
 *   <li>A classifier: the first string or int64 tensor [N] or [N, 1] is the label (ONNX-ML classifiers call it
 *   {@code label} or {@code output_label}); the first float or double tensor [N, K] or sequence of maps (a ZipMap,
 *   {@code output_probability}) holds the class scores. Either may be missing, not both: a PyTorch classifier gives
 *   one score tensor and the label is its best class.</li>
 *   <li>A regressor: the first float or double tensor, one value per row ([N] or [N, 1]).</li>
 * </ul>
 * Other outputs are not computed (they are left out of the session's run).
 */
final class Outputs {
    enum Scores { NONE, TENSOR, MAP }

    final String label;
    final String scores;
    final Scores kind;
    final String value;

    private Outputs(String label, String scores, Scores kind, String value) {
        this.label = label;
        this.scores = scores;
        this.kind = kind;
        this.value = value;
    }

    /** @throws IllegalArgumentException naming the model's outputs when none fits the task */
    static Outputs of(Task task, Map<String, NodeInfo> outputs) {
        String label = null;
        String scores = null;
        Scores kind = Scores.NONE;
        String value = null;
        for (Map.Entry<String, NodeInfo> e : outputs.entrySet()) {
            Object info = e.getValue().getInfo();
            if (info instanceof TensorInfo t) {
                boolean numeric = t.type == OnnxJavaType.FLOAT || t.type == OnnxJavaType.DOUBLE;
                boolean labelType = t.type == OnnxJavaType.STRING || t.type == OnnxJavaType.INT64;
                int rank = t.getShape().length;
                if (value == null && numeric) {
                    value = e.getKey();
                }
                if (label == null && labelType && (rank == 1 || (rank == 2 && t.getShape()[1] == 1))) {
                    label = e.getKey();
                } else if (scores == null && numeric && rank == 2) {
                    scores = e.getKey();
                    kind = Scores.TENSOR;
                }
            } else if (info instanceof SequenceInfo s && s.isSequenceOfMaps() && scores == null) {
                scores = e.getKey();
                kind = Scores.MAP;
            }
        }
        if (task == Task.REGRESSION) {
            if (value == null) {
                throw new IllegalArgumentException("the ONNX model has no float or double output to read a value from; its "
                        + "outputs are " + describe(outputs));
            }
            return new Outputs(null, null, Scores.NONE, value);
        }
        if (label == null && scores == null) {
            throw new IllegalArgumentException("the ONNX model gives no label (a string or int64 tensor [N]) and no class "
                    + "scores (a float tensor [N, K] or a sequence of maps); its outputs are " + describe(outputs));
        }
        return new Outputs(label, scores, kind, null);
    }

    Set<String> names() {
        Set<String> s = new LinkedHashSet<>();
        for (String n : new String[] {label, scores, value}) {
            if (n != null) {
                s.add(n);
            }
        }
        return s;
    }

    static String describe(Map<String, NodeInfo> nodes) {
        Map<String, String> d = new LinkedHashMap<>();
        nodes.forEach((k, v) -> d.put(k, v.getInfo() instanceof TensorInfo t ? t.type + " " + Inputs.shape(t) : String.valueOf(v.getInfo())));
        return d.toString();
    }

    /** What one run gave, per row: the label output's values, the scores (a row each), the regression values. */
    record Raw(List<String> labels, List<double[]> tensorScores, List<Map<String, Double>> mapScores, double[] values) {
    }

    Raw read(OrtSession.Result result, int rows) throws OrtException {
        List<String> labels = null;
        List<double[]> tensorScores = null;
        List<Map<String, Double>> mapScores = null;
        double[] values = null;
        if (label != null) {
            labels = new ArrayList<>(rows);
            for (Object o : flatten(get(result, label).getValue())) {
                labels.add(String.valueOf(o));
            }
            expect(label, labels.size(), rows, 1);
        }
        if (kind == Scores.TENSOR) {
            double[] flat = numbers((OnnxTensor) get(result, scores));
            if (flat.length % rows != 0 || flat.length == 0) {
                throw new IllegalStateException("output '" + scores + "' gives " + flat.length + " values for " + rows + " rows");
            }
            int k = flat.length / rows;
            tensorScores = new ArrayList<>(rows);
            for (int r = 0; r < rows; r++) {
                double[] row = new double[k];
                System.arraycopy(flat, r * k, row, 0, k);
                tensorScores.add(row);
            }
        } else if (kind == Scores.MAP) {
            mapScores = new ArrayList<>(rows);
            for (OnnxValue m : ((OnnxSequence) get(result, scores)).getValue()) {
                Map<String, Double> scoresOfRow = new LinkedHashMap<>();
                ((OnnxMap) m).getValue().forEach((key, p) -> scoresOfRow.put(String.valueOf(key), ((Number) p).doubleValue()));
                mapScores.add(scoresOfRow);
            }
            expect(scores, mapScores.size(), rows, 1);
        }
        if (value != null) {
            values = numbers((OnnxTensor) get(result, value));
            expect(value, values.length, rows, 1);
        }
        return new Raw(labels, tensorScores, mapScores, values);
    }

    private static OnnxValue get(OrtSession.Result result, String name) {
        return result.get(name).orElseThrow(() -> new IllegalStateException("ONNX Runtime gave no output '" + name + "'"));
    }

    private static void expect(String output, int got, int rows, int perRow) {
        if (got != rows * perRow) {
            throw new IllegalStateException("output '" + output + "' gives " + got + " values for " + rows + " rows, "
                    + "expected " + perRow + " per row");
        }
    }

    private static double[] numbers(OnnxTensor t) {
        if (t.getInfo().type == OnnxJavaType.DOUBLE) {
            DoubleBuffer d = t.getDoubleBuffer();
            double[] out = new double[d.remaining()];
            d.get(out);
            return out;
        }
        FloatBuffer f = t.getFloatBuffer();
        if (f == null) {
            throw new IllegalStateException("output is a " + t.getInfo().type + " tensor, expected float or double");
        }
        double[] out = new double[f.remaining()];
        for (int i = 0; i < out.length; i++) {
            out[i] = f.get(i);
        }
        return out;
    }

    private static List<Object> flatten(Object array) {
        List<Object> out = new ArrayList<>();
        flatten(array, out);
        return out;
    }

    private static void flatten(Object v, List<Object> out) {
        if (v != null && v.getClass().isArray()) {
            int n = Array.getLength(v);
            for (int i = 0; i < n; i++) {
                flatten(Array.get(v, i), out);
            }
        } else {
            out.add(v);
        }
    }
}
