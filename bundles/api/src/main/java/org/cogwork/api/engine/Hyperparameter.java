package org.cogwork.api.engine;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import org.cogwork.api.problem.InvalidFieldException;

/**
 * One hyperparameter of an algorithm, described well enough to draw a form field for it and to check a value
 * before a job starts. {@link #check} is the one checker every engine uses: the platform calls it (through
 * {@link Engine#checkHyperparameters}) when a training is submitted, so a value it refuses is a 400 naming
 * {@code hyperparameters.<name>}, with the same wording whatever the engine; engines resolve their values through
 * {@link EngineInfo#resolve} when they train.
 *
 * <p>Declare with the factory methods and the bound methods, which return copies:
 * <pre>{@code
 * Hyperparameter.integer("numTrees", 50, "number of trees").atLeast(1).atMost(100_000)
 * Hyperparameter.number("fractionFeaturesInSplit", 0.5, "fraction of features per split").greaterThan(0).lessThan(1)
 * Hyperparameter.choice("outputs", "logits", List.of("logits", "probabilities"), "what the model's outputs are")
 * Hyperparameter.path("path", "the TorchScript file on the server").asRequired()
 * }</pre>
 *
 * <p>Values are JSON values as a JSON mapper binds them: {@link Number}, {@link String}, {@link Boolean},
 * {@link List}. Nothing is coerced: {@code "5"} is not an integer and {@code 1.5} is not an integer ({@code 5.0} is,
 * since JSON has one number type). {@code null} is never a valid value: leave the name out to get the default.
 *
 * @param name the name in a spec's {@code hyperparameters}, never blank
 * @param type which JSON values it takes
 * @param defaultValue what the engine uses when the spec leaves it out, in the form {@link #check} returns
 *     ({@link Long}, {@link Double}, {@link Boolean}, {@link String}, {@code List<Long>}); {@code null} when there is
 *     none: the value is required, or the engine works it out (e.g. from the data; the description says how)
 * @param min the lower bound of an {@link Type#INTEGER}, a {@link Type#NUMBER} or each element of an
 *     {@link Type#INTEGER_LIST} ({@link Long} for the integer types, {@link Double} for numbers), or {@code null}
 * @param minInclusive whether {@code min} itself is allowed (ignored without a {@code min})
 * @param max the upper bound, as {@code min}, or {@code null}
 * @param maxInclusive whether {@code max} itself is allowed (ignored without a {@code max})
 * @param choices the values a {@link Type#CHOICE} takes, in the order to show them; empty for the other types
 * @param required whether a spec must give it (then there is no default)
 * @param description one line for people: what it does, never {@code null}
 * @since 0.4
 */
public record Hyperparameter(String name, Type type, Object defaultValue, Number min, boolean minInclusive, Number max,
                             boolean maxInclusive, List<String> choices, boolean required, String description) {

    /** The JSON values a hyperparameter takes, and the Java form {@link #check} returns them in. */
    public enum Type {
        /** A whole JSON number ({@code 3}, or {@code 3.0}) within the bounds; as a {@link Long}. */
        INTEGER,
        /** A finite JSON number within the bounds; as a {@link Double}. */
        NUMBER,
        /** {@code true} or {@code false}; as a {@link Boolean}. */
        BOOLEAN,
        /** A JSON string; as a {@link String}. */
        STRING,
        /** One of {@link Hyperparameter#choices()}, a JSON string; as a {@link String}. */
        CHOICE,
        /**
         * A file on the server, as a non-blank JSON string; as a {@link String}. Whether the file may be read (inside
         * the data roots, a regular file) is the engine's own check in {@link Engine#checkHyperparameters}.
         */
        PATH,
        /** A JSON array of whole numbers, each within the bounds (e.g. the sizes of hidden layers); as a {@code List<Long>}. */
        INTEGER_LIST,
        /**
         * Any JSON value but {@code null}, unchecked: what the deprecated map form of {@link AlgorithmInfo} declares
         * (engines built against {@code org.cogwork.api.engine} 0.3). The engine checks such values when it trains.
         */
        ANY
    }

    private static final int SHOWN_CHARS = 80;

    public Hyperparameter {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a hyperparameter needs a name");
        }
        Objects.requireNonNull(type, "type");
        description = description == null ? "" : description;
        choices = choices == null ? List.of() : List.copyOf(choices);
        if (type == Type.CHOICE && choices.isEmpty()) {
            throw new IllegalArgumentException("hyperparameter " + name + " is a CHOICE without choices");
        }
        if (type != Type.CHOICE && !choices.isEmpty()) {
            throw new IllegalArgumentException("hyperparameter " + name + " is " + type + ": only a CHOICE has choices");
        }
        boolean bounded = type == Type.INTEGER || type == Type.NUMBER || type == Type.INTEGER_LIST;
        if (!bounded && (min != null || max != null)) {
            throw new IllegalArgumentException("hyperparameter " + name + " is " + type + ": only numbers have bounds");
        }
        min = bound(name, type, min);
        max = bound(name, type, max);
        if (min != null && max != null) {
            int c = decimal(min).compareTo(decimal(max));
            if (c > 0 || (c == 0 && !(minInclusive && maxInclusive))) {
                throw new IllegalArgumentException("hyperparameter " + name + " has an empty range " + range(min, minInclusive, max, maxInclusive));
            }
        }
        if (required && defaultValue != null) {
            throw new IllegalArgumentException("hyperparameter " + name + " is required, so it has no default");
        }
        if (defaultValue != null) {
            Hyperparameter declared = new Hyperparameter(name, type, null, min, minInclusive, max, maxInclusive, choices, false, description);
            try {
                defaultValue = declared.check(defaultValue);
            } catch (InvalidFieldException e) {
                throw new IllegalArgumentException("the default of hyperparameter " + e.getMessage(), e);
            }
        }
    }

    /** A whole number, by default unbounded. */
    public static Hyperparameter integer(String name, long defaultValue, String description) {
        return new Hyperparameter(name, Type.INTEGER, defaultValue, null, true, null, true, List.of(), false, description);
    }

    /** A number, by default unbounded. */
    public static Hyperparameter number(String name, double defaultValue, String description) {
        return new Hyperparameter(name, Type.NUMBER, defaultValue, null, true, null, true, List.of(), false, description);
    }

    /** A flag. */
    public static Hyperparameter bool(String name, boolean defaultValue, String description) {
        return new Hyperparameter(name, Type.BOOLEAN, defaultValue, null, true, null, true, List.of(), false, description);
    }

    /** A string; {@code defaultValue} may be {@code null} (the engine works it out). */
    public static Hyperparameter string(String name, String defaultValue, String description) {
        return new Hyperparameter(name, Type.STRING, defaultValue, null, true, null, true, List.of(), false, description);
    }

    /** One of {@code choices}; {@code defaultValue} must be one of them. */
    public static Hyperparameter choice(String name, String defaultValue, List<String> choices, String description) {
        return new Hyperparameter(name, Type.CHOICE, defaultValue, null, true, null, true, choices, false, description);
    }

    /** A file on the server, without a default (see {@link #asRequired()}). */
    public static Hyperparameter path(String name, String description) {
        return new Hyperparameter(name, Type.PATH, null, null, true, null, true, List.of(), false, description);
    }

    /** A list of whole numbers, each unbounded until bounded with {@link #atLeast} and friends. */
    public static Hyperparameter integerList(String name, List<? extends Number> defaultValue, String description) {
        return new Hyperparameter(name, Type.INTEGER_LIST, defaultValue, null, true, null, true, List.of(), false, description);
    }

    /** A copy with the lower bound {@code min}, allowed. */
    public Hyperparameter atLeast(Number min) {
        return new Hyperparameter(name, type, defaultValue, min, true, max, maxInclusive, choices, required, description);
    }

    /** A copy with the lower bound {@code min}, not allowed. */
    public Hyperparameter greaterThan(Number min) {
        return new Hyperparameter(name, type, defaultValue, min, false, max, maxInclusive, choices, required, description);
    }

    /** A copy with the upper bound {@code max}, allowed. */
    public Hyperparameter atMost(Number max) {
        return new Hyperparameter(name, type, defaultValue, min, minInclusive, max, true, choices, required, description);
    }

    /** A copy with the upper bound {@code max}, not allowed. */
    public Hyperparameter lessThan(Number max) {
        return new Hyperparameter(name, type, defaultValue, min, minInclusive, max, false, choices, required, description);
    }

    /** A copy that a spec must give (it has no default then). */
    public Hyperparameter asRequired() {
        return new Hyperparameter(name, type, null, min, minInclusive, max, maxInclusive, choices, true, description);
    }

    /** The request field this hyperparameter's errors name: {@code hyperparameters.<name>}. */
    public String field() {
        return "hyperparameters." + name;
    }

    /**
     * Checks a value a client sent and returns it in the type's Java form ({@link Long} for {@link Type#INTEGER},
     * {@link Double} for {@link Type#NUMBER}, {@code List<Long>} for {@link Type#INTEGER_LIST}, the value itself for
     * the others).
     *
     * @param value a JSON value as bound by a JSON mapper
     * @throws InvalidFieldException naming {@code hyperparameters.<name>}, with a message saying what is expected and
     *     what was given, e.g. {@code numTrees must be an integer in [1, 100000], was 0}
     */
    public Object check(Object value) {
        Object checked = switch (type) {
            case INTEGER -> inRange(whole(value));
            case NUMBER -> value instanceof Number n && Double.isFinite(n.doubleValue()) ? inRange(n.doubleValue()) : null;
            case BOOLEAN -> value instanceof Boolean ? value : null;
            case STRING -> value instanceof String ? value : null;
            case CHOICE -> value instanceof String s && choices.contains(s) ? s : null;
            case PATH -> value instanceof String s && !s.isBlank() ? s : null;
            case INTEGER_LIST -> integers(value);
            case ANY -> value;
        };
        if (checked == null) {
            throw new InvalidFieldException(field(), name + " must be " + expected() + ", was " + shown(value));
        }
        return checked;
    }

    /** What a value must be, as the error messages say it: e.g. {@code an integer in [1, 100000]}, {@code one of [a, b]}. */
    public String expected() {
        String range = range(min, minInclusive, max, maxInclusive);
        return switch (type) {
            case INTEGER -> "an integer" + (range.isEmpty() ? "" : " " + range);
            case NUMBER -> "a number" + (range.isEmpty() ? "" : " " + range);
            case BOOLEAN -> "true or false";
            case STRING -> "a string";
            case CHOICE -> "one of " + choices;
            case PATH -> "a file path (a non-blank string)";
            case INTEGER_LIST -> "a list of integers" + (range.isEmpty() ? "" : ", each " + range);
            case ANY -> "a value";
        };
    }

    private List<Long> integers(Object value) {
        if (!(value instanceof Collection<?> items)) {
            return null;
        }
        List<Long> out = new ArrayList<>(items.size());
        for (Object item : items) {
            Long v = inRange(whole(item));
            if (v == null) {
                return null;
            }
            out.add(v);
        }
        return List.copyOf(out);
    }

    /** The value as a long when it is a whole JSON number that fits one, else {@code null}. */
    private static Long whole(Object value) {
        if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte) {
            return ((Number) value).longValue();
        }
        if (!(value instanceof Number n) || !finite(n)) {
            return null;
        }
        try {
            return decimal(n).longValueExact(); // 3.0 is 3; 1.5, 1e30 and BigIntegers beyond a long are not
        } catch (ArithmeticException e) {
            return null;
        }
    }

    private <N extends Number> N inRange(N value) {
        if (value == null) {
            return null;
        }
        BigDecimal v = decimal(value);
        if (min != null && (minInclusive ? v.compareTo(decimal(min)) < 0 : v.compareTo(decimal(min)) <= 0)) {
            return null;
        }
        if (max != null && (maxInclusive ? v.compareTo(decimal(max)) > 0 : v.compareTo(decimal(max)) >= 0)) {
            return null;
        }
        return value;
    }

    private static boolean finite(Number n) {
        return !(n instanceof Double d && !Double.isFinite(d)) && !(n instanceof Float f && !Float.isFinite(f));
    }

    private static BigDecimal decimal(Number n) {
        if (n instanceof BigDecimal b) {
            return b;
        }
        if (n instanceof BigInteger b) {
            return new BigDecimal(b);
        }
        if (n instanceof Double || n instanceof Float) {
            return BigDecimal.valueOf(n.doubleValue());
        }
        return BigDecimal.valueOf(n.longValue());
    }

    /** A declared bound in its normal form: a Long for the integer types, a Double for numbers. */
    private static Number bound(String name, Type type, Number bound) {
        if (bound == null) {
            return null;
        }
        if (!finite(bound)) {
            throw new IllegalArgumentException("hyperparameter " + name + " has a bound that is not finite: " + bound
                    + " (leave the bound out instead)");
        }
        if (type == Type.NUMBER) {
            return bound.doubleValue();
        }
        Long whole = whole(bound);
        if (whole == null) {
            throw new IllegalArgumentException("hyperparameter " + name + " is " + type + " with a bound that is not whole: " + bound);
        }
        return whole;
    }

    /** {@code [1, 10]}, {@code (0, 1]}, {@code >= 1}, {@code < 5}, or empty when unbounded. */
    private static String range(Number min, boolean minInclusive, Number max, boolean maxInclusive) {
        if (min != null && max != null) {
            return "in " + (minInclusive ? "[" : "(") + format(min) + ", " + format(max) + (maxInclusive ? "]" : ")");
        }
        if (min != null) {
            return (minInclusive ? ">= " : "> ") + format(min);
        }
        if (max != null) {
            return (maxInclusive ? "<= " : "< ") + format(max);
        }
        return "";
    }

    private static String format(Number n) {
        return decimal(n).stripTrailingZeros().toPlainString();
    }

    /** A value as the error message shows it: strings quoted and cut short, the rest as JSON would show it. */
    private static String shown(Object value) {
        if (value instanceof String s) {
            String cut = s.length() > SHOWN_CHARS ? s.substring(0, SHOWN_CHARS) + "..." : s;
            return "\"" + cut.replace("\"", "\\\"") + "\"";
        }
        String text = String.valueOf(value);
        return text.length() > SHOWN_CHARS ? text.substring(0, SHOWN_CHARS) + "..." : text;
    }
}
