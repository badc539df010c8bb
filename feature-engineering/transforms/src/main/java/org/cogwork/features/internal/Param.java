package org.cogwork.features.internal;

import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * One declared parameter of a built-in transform: its name, what JSON value it takes and whether it is required.
 * Declaring them lets a step's parameters be checked without data, when a training spec is submitted; what only
 * the data can tell (whether a column exists) stays in {@code fit}. Values are JSON as bound: strings, numbers,
 * booleans, lists and maps, nothing coerced ({@code "3"} is not a number, {@code 2.0} is not a whole number).
 *
 * @param name the parameter's name in {@code params}
 * @param expected what it takes, for people: "a whole number >= 1"
 * @param accepts whether a (non-null) value is acceptable
 * @param required whether the step cannot run without it
 */
record Param(String name, String expected, Predicate<Object> accepts, boolean required) {

    /** The same parameter, required. */
    Param mandatory() {
        return new Param(name, expected, accepts, true);
    }

    /** {@code null} when {@code value} is acceptable, else what is wrong with it. */
    String check(Object value) {
        if (value == null) {
            return required ? "is required: " + expected : null;
        }
        return accepts.test(value) ? null : "must be " + expected + ", was " + shown(value);
    }

    /** The columns to work on: an array of column names. */
    static Param columns() {
        return strings("columns");
    }

    /** An array of strings. */
    static Param strings(String name) {
        return list(name, "an array of strings", v -> v instanceof String s && !s.isBlank());
    }

    /** A whole number (a JSON integer) in [min, max]. */
    static Param whole(String name, long min, long max) {
        String range = max == Integer.MAX_VALUE || max == Long.MAX_VALUE ? " >= " + min : " from " + min + " to " + max;
        return new Param(name, "a whole number" + range, v -> isWhole(v) && ((Number) v).longValue() >= min
                && ((Number) v).longValue() <= max, false);
    }

    /** A whole number >= {@code min} that fits an int. */
    static Param whole(String name, long min) {
        return whole(name, min, Integer.MAX_VALUE);
    }

    /** Any finite number in [min, max]. */
    static Param number(String name, double min, double max) {
        return new Param(name, "a number from " + min + " to " + max, v -> v instanceof Number n
                && Double.isFinite(n.doubleValue()) && n.doubleValue() >= min && n.doubleValue() <= max, false);
    }

    /** A finite number >= {@code min}. */
    static Param number(String name, double min) {
        return new Param(name, "a number >= " + min, v -> v instanceof Number n && Double.isFinite(n.doubleValue())
                && n.doubleValue() >= min, false);
    }

    /** Any finite number. */
    static Param number(String name) {
        return new Param(name, "a number", v -> v instanceof Number n && Double.isFinite(n.doubleValue()), false);
    }

    /** {@code true} or {@code false}. */
    static Param flag(String name) {
        return new Param(name, "true or false", v -> v instanceof Boolean, false);
    }

    /** A non-blank string. */
    static Param text(String name) {
        return new Param(name, "a non-empty string", v -> v instanceof String s && !s.isBlank(), false);
    }

    /** Any string of at most {@code maxLength} characters, blank ones included (a separator, say). */
    static Param string(String name, int maxLength) {
        return new Param(name, "a string of at most " + maxLength + " characters",
                v -> v instanceof String s && s.length() <= maxLength, false);
    }

    /** One of {@code values}. */
    static Param oneOf(String name, String... values) {
        Set<String> ok = Set.of(values);
        return new Param(name, "one of " + String.join(", ", values), ok::contains, false);
    }

    /** A string, number or boolean. */
    static Param scalar(String name) {
        return new Param(name, "a string, number or boolean", Param::isScalar, false);
    }

    /** A non-empty array whose items pass {@code item}. */
    static Param list(String name, String expected, Predicate<Object> item) {
        return new Param(name, expected, v -> v instanceof List<?> l && !l.isEmpty() && l.stream().allMatch(
                x -> x != null && item.test(x)), false);
    }

    /** A non-empty array of dates (yyyy-mm-dd). */
    static Param dates(String name) {
        return list(name, "an array of dates (yyyy-mm-dd)", Param::isDate);
    }

    /** A non-empty object of names to strings. */
    static Param namedStrings(String name) {
        return new Param(name, "a non-empty object of name → string", v -> v instanceof Map<?, ?> m && !m.isEmpty()
                && m.values().stream().allMatch(x -> x instanceof String), false);
    }

    static boolean isWhole(Object v) {
        return v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte
                || (v instanceof java.math.BigInteger b && b.bitLength() < 64);
    }

    static boolean isScalar(Object v) {
        return v instanceof String || v instanceof Number || v instanceof Boolean;
    }

    private static boolean isDate(Object v) {
        if (!(v instanceof String s)) {
            return false;
        }
        try {
            LocalDate.parse(s);
            return true;
        } catch (DateTimeParseException e) {
            return false;
        }
    }

    private static String shown(Object v) {
        String s = v instanceof String ? "'" + v + "'" : String.valueOf(v);
        return s.length() > 100 ? s.substring(0, 100) + "…" : s;
    }
}
