package org.cogwork.api.data;

import java.util.Objects;

/**
 * One column of a {@link Schema}.
 *
 * @param name column name, never {@code null} or blank
 * @param type logical type, never {@code null}
 * @param nullable whether the column may hold missing values
 */
public record Field(String name, DataType type, boolean nullable) {
    public Field {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        if (name.isBlank()) {
            throw new IllegalArgumentException("field name must not be blank");
        }
    }

    public static Field of(String name, DataType type) {
        return new Field(name, type, true);
    }
}
