package org.cogwork.engine.tribuo;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.cogwork.api.data.DataType;
import org.cogwork.api.data.Field;
import org.cogwork.api.data.Row;
import org.cogwork.api.data.Schema;
import org.tribuo.ImmutableFeatureMap;
import org.tribuo.ImmutableOutputInfo;
import org.tribuo.Output;
import org.tribuo.classification.Label;
import org.tribuo.common.sgd.AbstractLinearSGDModel;
import org.tribuo.math.la.DenseMatrix;
import org.tribuo.math.la.DenseVector;
import org.tribuo.math.util.VectorNormalizer;
import org.tribuo.transform.TransformedModel;
import org.tribuo.transform.Transformer;
import org.tribuo.transform.TransformerMap;

/**
 * A Tribuo linear SGD model (logistic regression, linear regression; inside a {@link TransformedModel} when its
 * numeric features are standardised) predicted straight from a row: each input column is looked up once, at load,
 * into its feature id (a category value into its own), and a row is a dot product with the weight matrix. Tribuo's own
 * path builds an example of feature-name strings per row, sorts them, finds each in a hash map and makes a sparse
 * vector (1.2 µs of a row's 1.3 µs in-process, measured by {@code bench/predict-bench.sh}). The arithmetic is
 * Tribuo's, in its order: the same transformers ({@link TransformerMap#applyTransformerList}), the products summed by
 * ascending feature id with the bias last, the same normalizer; {@code TribuoEngineTest} checks every test row
 * against Tribuo's own answer. Models it does not cover (vector columns, a densifying transform) return {@code null}
 * from {@link #of} and keep Tribuo's path. Immutable and thread-safe.
 */
final class FlatLinear {
    /** Per input column: the feature id of a number or boolean (-1 when the model never saw it). */
    private final int[] ids;
    /** Per input column: the transformers of a number or boolean, or {@code null}. */
    private final List<Transformer>[] transforms;
    /** Per categorical/string column: value → {feature id, transformed value}. */
    private final Map<String, double[]>[] categories;
    /** The input columns, in the model's input order. */
    private final Field[] fields;
    private final Positions positions;
    private final double[][] weights;
    private final int bias;
    /** Output names by output id (labels for a classifier). */
    private final String[] outputs;
    /** A classifier's normalizer (softmax for logistic regression); {@code null} for a regression. */
    private final VectorNormalizer normalizer;

    @SuppressWarnings("unchecked")
    private FlatLinear(Schema input, AbstractLinearSGDModel<?> linear, TransformerMap transformers, VectorNormalizer normalizer) {
        ImmutableFeatureMap featureIds = linear.getFeatureIDMap();
        List<Field> fields = input.fields();
        int n = fields.size();
        ids = new int[n];
        transforms = new List[n];
        categories = new Map[n];
        this.fields = fields.toArray(Field[]::new);
        this.positions = new Positions(fields);
        for (int c = 0; c < n; c++) {
            Field f = fields.get(c);
            ids[c] = featureIds.getID(f.name());
            transforms[c] = transformers == null ? null : transformers.get(f.name());
            if (f.type() == DataType.CATEGORICAL || f.type() == DataType.STRING) {
                Map<String, double[]> byValue = new HashMap<>();
                String prefix = f.name() + "=";
                for (org.tribuo.VariableInfo info : featureIds) {
                    if (info.getName().startsWith(prefix)) {
                        List<Transformer> t = transformers == null ? null : transformers.get(info.getName());
                        byValue.put(info.getName().substring(prefix.length()), new double[] {featureIds.getID(info.getName()),
                                t == null ? 1 : TransformerMap.applyTransformerList(1, t)});
                    }
                }
                categories[c] = byValue;
            }
        }
        DenseMatrix w = linear.getWeightsCopy();
        weights = new double[w.getDimension1Size()][];
        for (int k = 0; k < weights.length; k++) {
            weights[k] = w.getRow(k).toArray();
        }
        bias = featureIds.size();
        ImmutableOutputInfo<? extends Output<?>> outputInfo = linear.getOutputIDInfo();
        outputs = new String[outputInfo.size()];
        for (int k = 0; k < outputs.length; k++) {
            Output<?> o = outputInfo.getOutput(k);
            outputs[k] = o instanceof Label l ? l.getLabel() : o.toString();
        }
        this.normalizer = normalizer;
    }

    /** The flat form of a Tribuo linear SGD model, or {@code null} when the model or its input is not one it covers. */
    static FlatLinear of(org.tribuo.Model<?> model, Schema input, boolean classification) {
        TransformerMap transformers = null;
        org.tribuo.Model<?> inner = model;
        if (model instanceof TransformedModel<?> t) {
            if (t.getDensify()) {
                return null;
            }
            transformers = t.getTransformerMap();
            inner = t.getInnerModel();
        }
        if (!(inner instanceof AbstractLinearSGDModel<?> linear)
                || !(inner instanceof org.tribuo.classification.sgd.linear.LinearSGDModel
                || inner instanceof org.tribuo.regression.sgd.linear.LinearSGDModel)) {
            return null;
        }
        for (Field f : input.fields()) {
            if (f.type() == DataType.VECTOR) {
                return null;
            }
        }
        if (!classification) {
            return linear.getOutputIDInfo().size() == 1 ? new FlatLinear(input, linear, transformers, null) : null;
        }
        VectorNormalizer normalizer = normalizer(linear);
        return normalizer == null ? null : new FlatLinear(input, linear, transformers, normalizer);
    }

    /**
     * The classifier's own normalizer (its objective's: the exponential one for logistic regression, none for a
     * hinge loss), which Tribuo keeps private: read, not guessed, so the scores are Tribuo's. {@code null} if this
     * Tribuo keeps it elsewhere (the model then predicts through Tribuo).
     */
    private static VectorNormalizer normalizer(AbstractLinearSGDModel<?> linear) {
        try {
            java.lang.reflect.Field f = org.tribuo.classification.sgd.linear.LinearSGDModel.class.getDeclaredField("normalizer");
            f.setAccessible(true);
            return f.get(linear) instanceof VectorNormalizer n ? n : null;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /** Output names by output id (the labels of a classifier, in the order of {@link #scores}). */
    String[] outputs() {
        return outputs;
    }

    /**
     * The model's outputs for one row: normalised label scores for a classifier, the regression value (before any
     * target scaling) at index 0.
     *
     * @throws IllegalArgumentException when the row has no feature the model knows (as Tribuo refuses it, and in the
     *         words {@link TribuoModel} gives Tribuo's refusal)
     */
    double[] scores(Row row) {
        int[] where = positions.in(row.schema());
        int n = ids.length;
        int[] at = new int[n + 1];
        double[] x = new double[n + 1];
        int m = 0;
        for (int c = 0; c < n; c++) {
            Field f = fields[c];
            int i = where[c];
            if (i < 0) {
                throw new IllegalArgumentException("missing feature '" + f.name() + "'");
            }
            Object v = row.get(i);
            if (v == null) {
                continue;
            }
            switch (f.type()) {
                case INT, DOUBLE -> {
                    if (!(v instanceof Number num)) {
                        throw Features.wrongType(f, v);
                    }
                    double d = num.doubleValue();
                    if (ids[c] >= 0 && !Double.isNaN(d) && !Double.isInfinite(d)) {
                        at[m] = ids[c];
                        x[m++] = transforms[c] == null ? d : TransformerMap.applyTransformerList(d, transforms[c]);
                    }
                }
                case BOOLEAN -> {
                    if (!(v instanceof Boolean b)) {
                        throw Features.wrongType(f, v);
                    }
                    if (ids[c] >= 0) {
                        at[m] = ids[c];
                        x[m++] = transforms[c] == null ? (b ? 1 : 0) : TransformerMap.applyTransformerList(b ? 1 : 0, transforms[c]);
                    }
                }
                case CATEGORICAL, STRING -> {
                    if (!(v instanceof String s)) {
                        throw Features.wrongType(f, v);
                    }
                    double[] idAndValue = categories[c].get(s);
                    if (idAndValue != null) {
                        at[m] = (int) idAndValue[0];
                        x[m++] = idAndValue[1];
                    }
                }
                default -> throw new IllegalStateException("unsupported type " + f.type());
            }
        }
        if (m == 0) {
            throw Features.noKnownFeature(row, "none of its values is one the model saw");
        }
        // ascending feature id, as Tribuo's sparse vector holds them (insertion sort: a handful of entries)
        for (int a = 1; a < m; a++) {
            int id = at[a];
            double v = x[a];
            int b = a - 1;
            for (; b >= 0 && at[b] > id; b--) {
                at[b + 1] = at[b];
                x[b + 1] = x[b];
            }
            at[b + 1] = id;
            x[b + 1] = v;
        }
        double[] out = new double[weights.length];
        for (int k = 0; k < out.length; k++) {
            double[] w = weights[k];
            double sum = 0;
            for (int j = 0; j < m; j++) {
                sum += w[at[j]] * x[j];
            }
            out[k] = sum + w[bias] * 1.0;
        }
        if (normalizer == null) {
            return out;
        }
        DenseVector v = DenseVector.createDenseVector(out);
        v.normalize(normalizer);
        return v.toArray();
    }


}
