package org.cogwork.connector.support;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import org.cogwork.api.data.DataType;

/** Conversions between text, JSON values and the Java types of {@link DataType}. */
public final class Values {
    private Values() {
    }

    /**
     * Parses a non-empty text cell as {@code type}.
     *
     * @throws IllegalArgumentException saying what the text is not
     */
    public static Object parse(String text, DataType type) {
        String t = text.trim();
        try {
            return switch (type) {
                case INT -> Long.valueOf(t);
                case DOUBLE -> Double.valueOf(t);
                case BOOLEAN -> parseBoolean(t);
                case DATE -> LocalDate.parse(t);
                case TIMESTAMP -> parseTimestamp(t);
                case STRING, TEXT, CATEGORICAL -> text;
                case VECTOR -> throw new IllegalArgumentException("vector columns cannot be read from text");
            };
        } catch (NumberFormatException | DateTimeParseException e) {
            throw new IllegalArgumentException("'" + abbreviate(text) + "' is not " + article(type));
        }
    }

    /**
     * The text of a non-null value of {@code type}, which {@link #parse(String, DataType)} turns back into an equal
     * value: decimal integers, {@link Double#toString} (shortest exact form, {@code NaN}, {@code Infinity}),
     * {@code true}/{@code false}, ISO dates and instants, strings as they are.
     *
     * @throws IllegalArgumentException when the value is not of the Java type {@link DataType} documents for
     *     {@code type}, or the type has no text form ({@code VECTOR})
     */
    public static String format(Object value, DataType type) {
        if (!fits(value, type)) {
            throw new IllegalArgumentException(type == DataType.VECTOR ? "vector values cannot be written as text"
                    : "expected " + javaType(type) + " for type " + type + ", found " + value.getClass().getSimpleName());
        }
        return value.toString();
    }

    /** Whether {@code value} (not null) is of the Java type {@link DataType} documents for {@code type}. */
    public static boolean fits(Object value, DataType type) {
        return switch (type) {
            case INT -> value instanceof Long;
            case DOUBLE -> value instanceof Double;
            case BOOLEAN -> value instanceof Boolean;
            case STRING, TEXT, CATEGORICAL -> value instanceof String;
            case DATE -> value instanceof LocalDate;
            case TIMESTAMP -> value instanceof Instant;
            case VECTOR -> value instanceof org.cogwork.api.data.Vector;
        };
    }

    static String javaType(DataType type) {
        return switch (type) {
            case INT -> "Long";
            case DOUBLE -> "Double";
            case BOOLEAN -> "Boolean";
            case STRING, TEXT, CATEGORICAL -> "String";
            case DATE -> "LocalDate";
            case TIMESTAMP -> "Instant";
            case VECTOR -> "Vector";
        };
    }

    private static Boolean parseBoolean(String t) {
        return switch (t.toLowerCase(Locale.ROOT)) {
            case "true" -> Boolean.TRUE;
            case "false" -> Boolean.FALSE;
            default -> throw new NumberFormatException(t);
        };
    }

    /** ISO instants ({@code 2024-01-02T03:04:05Z}), offsets, or local date-times taken as UTC. */
    public static Instant parseTimestamp(String t) {
        try {
            return Instant.parse(t);
        } catch (DateTimeParseException e) {
            try {
                return OffsetDateTime.parse(t).toInstant();
            } catch (DateTimeParseException e2) {
                return LocalDateTime.parse(t.replace(' ', 'T')).toInstant(ZoneOffset.UTC);
            }
        }
    }

    /**
     * Converts a value given in a query (from JSON: String, Number, Boolean) to the Java type of a column.
     *
     * @throws IllegalArgumentException naming the column and its type
     */
    public static Object coerce(Object value, DataType type, String column) {
        try {
            return switch (type) {
                case INT -> {
                    if (value instanceof Number n) {
                        if (n instanceof Double || n instanceof Float || n instanceof BigDecimal) {
                            double d = n.doubleValue();
                            yield d == Math.rint(d) ? (Object) (long) d : (Object) d;
                        }
                        yield n.longValue();
                    }
                    if (value instanceof String s) {
                        yield Long.valueOf(s.trim());
                    }
                    throw new IllegalArgumentException();
                }
                case DOUBLE -> {
                    if (value instanceof Number n) {
                        yield n.doubleValue();
                    }
                    if (value instanceof String s) {
                        yield Double.valueOf(s.trim());
                    }
                    throw new IllegalArgumentException();
                }
                case BOOLEAN -> {
                    if (value instanceof Boolean b) {
                        yield b;
                    }
                    if (value instanceof String s) {
                        yield parseBoolean(s.trim());
                    }
                    throw new IllegalArgumentException();
                }
                case DATE -> value instanceof LocalDate d ? d : LocalDate.parse((String) value);
                case TIMESTAMP -> value instanceof Instant i ? i : parseTimestamp((String) value);
                case STRING, TEXT, CATEGORICAL -> {
                    if (value instanceof String s) {
                        yield s;
                    }
                    throw new IllegalArgumentException();
                }
                case VECTOR -> throw new IllegalArgumentException();
            };
        } catch (IllegalArgumentException | ClassCastException | DateTimeParseException e) {
            throw new IllegalArgumentException("value " + quote(value) + " does not match column '" + column
                    + "' of type " + type);
        }
    }

    /** Orders two non-null values of one column (numbers across Long/Double). */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public static int compare(Object a, Object b) {
        if (a instanceof Number x && b instanceof Number y) {
            if (x instanceof Long && y instanceof Long) {
                return Long.compare(x.longValue(), y.longValue());
            }
            return Double.compare(x.doubleValue(), y.doubleValue());
        }
        return ((Comparable) a).compareTo(b);
    }

    private static String quote(Object v) {
        return v instanceof String s ? "'" + abbreviate(s) + "'" : String.valueOf(v);
    }

    static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 37) + "...";
    }

    private static String article(DataType type) {
        return switch (type) {
            case INT -> "an integer";
            case DOUBLE -> "a number";
            case BOOLEAN -> "a boolean (true/false)";
            case DATE -> "a date (yyyy-mm-dd)";
            case TIMESTAMP -> "a timestamp (ISO 8601)";
            default -> "text";
        };
    }
}
