package org.cogwork.engine.tribuo;

import java.util.Arrays;
import java.util.List;
import org.cogwork.api.data.DataType;
import org.cogwork.api.data.Field;
import org.cogwork.api.data.Row;
import org.cogwork.api.data.Schema;
import org.cogwork.api.data.Vector;
import org.tribuo.Output;
import org.tribuo.impl.ArrayExample;

/**
 * Turns rows into Tribuo examples, the same way at training and at prediction time. Numbers are a feature
 * named by the column, booleans 0/1, a categorical or string value a feature {@code column=value} with value 1
 * (an unseen value at prediction time is simply absent), a vector one feature {@code column#i} per stored
 * entry (sparse stays sparse); a missing value is an absent feature. Immutable and thread-safe.
 */
final class Features {
    private final Schema inputSchema;
    /**
     * The fields by name: encoded in this order, a row's feature names arrive (nearly) sorted, as Tribuo's
     * {@code ArrayExample} keeps them, and its sort has little left to do (it was two fifths of encoding a row).
     */
    private final List<Field> byName;
    private final Positions positions;

    /** @throws IllegalArgumentException naming a column of a type the engine cannot use */
    Features(Schema inputSchema) {
        for (Field f : inputSchema.fields()) {
            switch (f.type()) {
                case TEXT -> throw new IllegalArgumentException("column '" + f.name()
                        + "' is TEXT: add a text extraction transform (e.g. tfidf) before the engine");
                case DATE, TIMESTAMP -> throw new IllegalArgumentException("column '" + f.name() + "' is " + f.type()
                        + ": add time features (e.g. year, month, day of week) before the engine");
                default -> { }
            }
        }
        this.inputSchema = inputSchema;
        this.byName = inputSchema.fields().stream().sorted(java.util.Comparator.comparing(Field::name)).toList();
        this.positions = new Positions(byName);
    }

    Schema schema() {
        return inputSchema;
    }

    /** Names of the numeric (INT/DOUBLE) features: the ones linear models standardise. */
    List<String> numericFeatureNames() {
        return inputSchema.fields().stream().filter(f -> f.type().isNumeric()).map(Field::name).toList();
    }

    /**
     * The example for one row. The row may carry more columns than the model uses (e.g. the target).
     *
     * @throws IllegalArgumentException naming the column when the row lacks it or holds a value of the wrong type
     */
    <T extends Output<T>> ArrayExample<T> encode(Row row, T output) {
        String[] names = new String[16];
        double[] values = new double[16];
        int n = 0;
        int[] where = positions.in(row.schema());
        for (int j = 0; j < where.length; j++) {
            Field f = byName.get(j);
            int i = where[j];
            if (i < 0) {
                throw new IllegalArgumentException("missing feature '" + f.name() + "'");
            }
            Object v = row.get(i);
            if (v == null) {
                continue;
            }
            if (f.type() == DataType.VECTOR) {
                if (!(v instanceof Vector vec)) {
                    throw wrongType(f, v);
                }
                int need = n + vec.size();
                if (need > names.length) {
                    names = Arrays.copyOf(names, Math.max(need, names.length * 2));
                    values = Arrays.copyOf(values, names.length);
                }
                for (int k = 0; k < vec.size(); k++) {
                    names[n] = f.name() + "#" + vec.indexAt(k);
                    values[n++] = vec.valueAt(k);
                }
                continue;
            }
            if (n == names.length) {
                names = Arrays.copyOf(names, n * 2);
                values = Arrays.copyOf(values, n * 2);
            }
            switch (f.type()) {
                case INT, DOUBLE -> {
                    if (!(v instanceof Number num)) {
                        throw wrongType(f, v);
                    }
                    double d = num.doubleValue();
                    if (Double.isNaN(d) || Double.isInfinite(d)) {
                        continue; // not a usable number: treat as missing
                    }
                    names[n] = f.name();
                    values[n++] = d;
                }
                case BOOLEAN -> {
                    if (!(v instanceof Boolean b)) {
                        throw wrongType(f, v);
                    }
                    names[n] = f.name();
                    values[n++] = b ? 1 : 0;
                }
                case CATEGORICAL, STRING -> {
                    if (!(v instanceof String s)) {
                        throw wrongType(f, v);
                    }
                    names[n] = f.name() + "=" + s;
                    values[n++] = 1;
                }
                default -> throw new IllegalStateException("unsupported type " + f.type()); // rejected in the constructor
            }
        }
        return new ArrayExample<>(output, Arrays.copyOf(names, n), Arrays.copyOf(values, n));
    }

    /** The refusal of a row none of whose features the model knows (Tribuo's reason, or the flat path's, as detail). */
    static IllegalArgumentException noKnownFeature(Row row, String reason) {
        return new IllegalArgumentException("row " + row + " has no feature value the model was trained on: " + reason);
    }

    static IllegalArgumentException wrongType(Field f, Object v) {
        return new IllegalArgumentException("column '" + f.name() + "' is " + f.type() + " but holds a "
                + v.getClass().getSimpleName() + " (" + v + ")");
    }
}
