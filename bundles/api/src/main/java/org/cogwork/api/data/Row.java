package org.cogwork.api.data;

import java.util.Arrays;
import java.util.Objects;

/**
 * One record, its values positioned as the fields of its {@link Schema}. Immutable.
 * Values follow the Java types documented on {@link DataType}; {@code null} is a missing value.
 */
public final class Row {
    private final Schema schema;
    private final Object[] values;

    public Row(Schema schema, Object... values) {
        this.schema = Objects.requireNonNull(schema, "schema");
        if (values.length != schema.size()) {
            throw new IllegalArgumentException("row has " + values.length + " values for " + schema.size() + " fields");
        }
        this.values = values.clone();
    }

    public Schema schema() {
        return schema;
    }

    public Object get(int i) {
        return values[i];
    }

    /** The value of the named column; an {@link IllegalArgumentException} names an unknown column. */
    public Object get(String name) {
        int i = schema.indexOf(name);
        if (i < 0) {
            throw new IllegalArgumentException("unknown column: " + name);
        }
        return values[i];
    }

    /** A copy of the values. */
    public Object[] values() {
        return values.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Row r && r.schema.equals(schema) && Arrays.equals(r.values, values);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(values);
    }

    @Override
    public String toString() {
        return Arrays.toString(values);
    }
}
