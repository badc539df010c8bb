package org.cogwork.api.problem;

/**
 * The checks every store and resource makes of a request's strings, each failure an {@link InvalidFieldException}
 * naming the field: one wording everywhere.
 *
 * @since 0.4
 */
public final class Fields {
    private Fields() {
    }

    /** {@code value}, or a 400 when it is null or blank. */
    public static String require(String value, String field) {
        if (value == null || value.isBlank()) {
            throw new InvalidFieldException(field, field + " must not be blank");
        }
        return value;
    }

    /** {@code value} (may be null), or a 400 when it is longer than {@code max} characters. */
    public static String limit(String value, int max, String field) {
        if (value != null && value.length() > max) {
            throw new InvalidFieldException(field, field + " must be at most " + max + " characters, was " + value.length());
        }
        return value;
    }
}
