package org.cogwork.features.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.cogwork.api.data.DataType;
import org.cogwork.api.data.Field;
import org.cogwork.api.data.Schema;

/**
 * Typed access to a step's parameters; every mistake names the transform and the parameter.
 */
final class Params {
    static final String TARGET = "target";

    private final String transform;
    private final Map<String, Object> values;

    Params(String transform, Map<String, Object> values, String... allowed) {
        this.transform = transform;
        this.values = values;
        Set<String> ok = new java.util.HashSet<>(List.of(allowed));
        ok.add(TARGET);
        for (String k : values.keySet()) {
            if (!ok.contains(k)) {
                throw new IllegalArgumentException(transform + ": unknown parameter '" + k + "'; use " + List.of(allowed));
            }
        }
    }

    IllegalArgumentException error(String param, String message) {
        return new IllegalArgumentException(transform + "." + param + ": " + message);
    }

    String target() {
        Object t = values.get(TARGET);
        return t == null ? null : t.toString();
    }

    String string(String name, String dflt) {
        Object v = values.get(name);
        return v == null ? dflt : v.toString();
    }

    String requiredString(String name) {
        Object v = values.get(name);
        if (v == null || v.toString().isBlank()) {
            throw error(name, "is required");
        }
        return v.toString();
    }

    double number(String name, double dflt) {
        Object v = values.get(name);
        if (v == null) {
            return dflt;
        }
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        try {
            return Double.parseDouble(v.toString());
        } catch (NumberFormatException e) {
            throw error(name, "must be a number, was '" + v + "'");
        }
    }

    int integer(String name, int dflt, int min) {
        double d = number(name, dflt);
        if (d != Math.rint(d) || d < min) {
            throw error(name, "must be a whole number >= " + min + ", was " + values.get(name));
        }
        return (int) d;
    }

    boolean flag(String name, boolean dflt) {
        Object v = values.get(name);
        return v == null ? dflt : v instanceof Boolean b ? b : Boolean.parseBoolean(v.toString());
    }

    List<Object> list(String name) {
        Object v = values.get(name);
        if (v == null) {
            return null;
        }
        if (v instanceof List<?> l) {
            return new ArrayList<>(l);
        }
        return List.of(v);
    }

    /** A required JSON object of names to strings, e.g. new column name → expression. */
    Map<String, String> map(String name) {
        if (!(values.get(name) instanceof Map<?, ?> m) || m.isEmpty()) {
            throw error(name, "must be a non-empty object of name → value");
        }
        Map<String, String> out = new java.util.LinkedHashMap<>();
        m.forEach((k, v) -> out.put(String.valueOf(k), String.valueOf(v)));
        return out;
    }

    List<Integer> integers(String name, List<Integer> dflt) {
        List<Object> l = list(name);
        if (l == null) {
            return dflt;
        }
        List<Integer> out = new ArrayList<>();
        for (Object o : l) {
            if (!(o instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue()) || n.intValue() < 1) {
                throw error(name, "must list whole numbers >= 1, found " + o);
            }
            out.add(n.intValue());
        }
        return out;
    }

    /**
     * The columns the step works on: the {@code columns} parameter (each must exist and pass
     * {@code accepts}), or by default every column that passes {@code accepts}; never the target.
     */
    List<String> columns(Schema schema, Predicate<DataType> accepts, String kind) {
        return columns(schema, accepts, kind, false);
    }

    /** As above; with {@code allowTarget} the target may be named (lags of the target are past values, not leaks). */
    List<String> columns(Schema schema, Predicate<DataType> accepts, String kind, boolean allowTarget) {
        List<Object> given = list("columns");
        List<String> out = new ArrayList<>();
        if (given == null) {
            for (Field f : schema.fields()) {
                if (accepts.test(f.type()) && !f.name().equals(target())) {
                    out.add(f.name());
                }
            }
            return out;
        }
        for (Object o : given) {
            String c = String.valueOf(o);
            Field f = schema.field(c).orElseThrow(() -> error("columns", "unknown column '" + c + "'; columns are "
                    + schema.fields().stream().map(Field::name).toList()));
            if (!accepts.test(f.type())) {
                throw error("columns", "column '" + c + "' is " + f.type() + ", not " + kind);
            }
            if (c.equals(target()) && !allowTarget) {
                throw error("columns", "column '" + c + "' is the target");
            }
            out.add(c);
        }
        return out;
    }

    static boolean numeric(DataType t) {
        return t.isNumeric() || t == DataType.BOOLEAN;
    }

    static boolean categorical(DataType t) {
        return t == DataType.CATEGORICAL || t == DataType.STRING || t == DataType.BOOLEAN;
    }
}
