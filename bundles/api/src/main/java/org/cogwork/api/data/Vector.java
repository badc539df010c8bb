package org.cogwork.api.data;

import java.util.Arrays;
import java.util.Objects;

/**
 * An immutable numeric vector of a fixed dimension, stored densely or sparsely (only non-zero entries, with
 * strictly increasing indices). The value type of {@link DataType#VECTOR} columns. Thread-safe.
 */
public final class Vector {
    private final int dimension;
    private final int[] indices;
    private final double[] values;

    private Vector(int dimension, int[] indices, double[] values) {
        this.dimension = dimension;
        this.indices = indices;
        this.values = values;
    }

    /** A dense vector holding a copy of {@code values}. */
    public static Vector dense(double[] values) {
        return new Vector(values.length, null, values.clone());
    }

    /**
     * A sparse vector.
     *
     * @param indices strictly increasing positions in {@code [0, dimension)}
     * @param values the values at those positions
     */
    public static Vector sparse(int dimension, int[] indices, double[] values) {
        if (indices.length != values.length) {
            throw new IllegalArgumentException("indices and values differ in length: " + indices.length + " vs " + values.length);
        }
        for (int i = 0; i < indices.length; i++) {
            if (indices[i] < 0 || indices[i] >= dimension || (i > 0 && indices[i] <= indices[i - 1])) {
                throw new IllegalArgumentException("sparse indices must increase within [0, " + dimension + "), got "
                        + Arrays.toString(indices));
            }
        }
        return new Vector(dimension, indices.clone(), values.clone());
    }

    public int dimension() {
        return dimension;
    }

    public boolean isSparse() {
        return indices != null;
    }

    /** Number of stored entries (the dimension for a dense vector). */
    public int size() {
        return values.length;
    }

    /** Position of the {@code k}-th stored entry. */
    public int indexAt(int k) {
        return indices == null ? k : indices[k];
    }

    /** Value of the {@code k}-th stored entry. */
    public double valueAt(int k) {
        return values[k];
    }

    /** The value at position {@code i}. */
    public double get(int i) {
        Objects.checkIndex(i, dimension);
        if (indices == null) {
            return values[i];
        }
        int k = Arrays.binarySearch(indices, i);
        return k >= 0 ? values[k] : 0.0;
    }

    /** A dense copy of all {@link #dimension()} values. */
    public double[] toArray() {
        if (indices == null) {
            return values.clone();
        }
        double[] out = new double[dimension];
        for (int k = 0; k < indices.length; k++) {
            out[indices[k]] = values[k];
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Vector v && v.dimension == dimension && Arrays.equals(v.toArray(), toArray());
    }

    @Override
    public int hashCode() {
        return 31 * dimension + Arrays.hashCode(toArray());
    }

    @Override
    public String toString() {
        return "Vector[" + dimension + (indices == null ? ", dense]" : ", " + indices.length + " non-zero]");
    }
}
