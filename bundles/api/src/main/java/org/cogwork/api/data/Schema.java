package org.cogwork.api.data;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An ordered, immutable list of uniquely named fields. Immutable and safe to share between threads.
 */
public final class Schema {
    private final List<Field> fields;
    private final Map<String, Integer> index;

    public Schema(List<Field> fields) {
        this.fields = List.copyOf(fields);
        Map<String, Integer> byName = new HashMap<>();
        for (int i = 0; i < this.fields.size(); i++) {
            if (byName.put(this.fields.get(i).name(), i) != null) {
                throw new IllegalArgumentException("duplicate field name: " + this.fields.get(i).name());
            }
        }
        this.index = Map.copyOf(byName);
    }

    public static Schema of(Field... fields) {
        return new Schema(List.of(fields));
    }

    public List<Field> fields() {
        return fields;
    }

    public int size() {
        return fields.size();
    }

    /** The position of the named field, or -1 when there is none. */
    public int indexOf(String name) {
        return index.getOrDefault(name, -1);
    }

    public Optional<Field> field(String name) {
        int i = indexOf(name);
        return i < 0 ? Optional.empty() : Optional.of(fields.get(i));
    }

    /** The named field, or an {@link IllegalArgumentException} naming the unknown field. */
    public Field require(String name) {
        return field(name).orElseThrow(() -> new IllegalArgumentException("unknown column: " + name));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Schema s && s.fields.equals(fields);
    }

    @Override
    public int hashCode() {
        return fields.hashCode();
    }

    @Override
    public String toString() {
        return "Schema" + fields;
    }
}
