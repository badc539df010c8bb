package org.cogwork.features.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.cogwork.api.data.DataType;
import org.cogwork.api.data.Field;
import org.cogwork.api.data.Schema;
import org.cogwork.api.problem.InvalidFieldException;

/**
 * Typed access to a step's parameters, checked against the transform's {@link Param declarations} when made, so
 * every getter reads a value of the declared JSON type; every mistake names the transform and the parameter.
 */
final class Params {
    static final String TARGET = "target";

    private final String transform;
    private final Map<String, Object> values;

    /**
     * @throws InvalidFieldException naming the parameter: unknown, missing while required, or of the wrong type
     *     or range
     */
    Params(String transform, Map<String, Object> values, Param... declared) {
        this.transform = transform;
        this.values = values;
        Map<String, Param> known = new LinkedHashMap<>();
        for (Param d : declared) {
            known.put(d.name(), d);
        }
        known.putIfAbsent(TARGET, Param.text(TARGET));
        for (String k : values.keySet()) {
            if (!known.containsKey(k)) {
                throw new InvalidFieldException(k, transform + ": unknown parameter '" + k + "'; use "
                        + Arrays.stream(declared).map(Param::name).toList());
            }
        }
        for (Param d : known.values()) {
            String wrong = d.check(values.get(d.name()));
            if (wrong != null) {
                throw invalid(d.name(), wrong);
            }
        }
    }

    /** A parameter that is wrong whatever the data: a 400 naming it when the spec is submitted. */
    InvalidFieldException invalid(String param, String message) {
        return new InvalidFieldException(param, transform + "." + param + ": " + message);
    }

    /** A parameter that does not fit the data (a column that is not there). */
    IllegalArgumentException error(String param, String message) {
        return new IllegalArgumentException(transform + "." + param + ": " + message);
    }

    boolean has(String name) {
        return values.get(name) != null;
    }

    String target() {
        return (String) values.get(TARGET);
    }

    String string(String name, String dflt) {
        Object v = values.get(name);
        return v == null ? dflt : (String) v;
    }

    /** A declared scalar (string, number or boolean) as text, or {@code null}. */
    String scalar(String name) {
        Object v = values.get(name);
        return v == null ? null : v.toString();
    }

    double number(String name, double dflt) {
        Object v = values.get(name);
        return v == null ? dflt : ((Number) v).doubleValue();
    }

    int integer(String name, int dflt) {
        Object v = values.get(name);
        return v == null ? dflt : Math.toIntExact(((Number) v).longValue());
    }

    long whole(String name, long dflt) {
        Object v = values.get(name);
        return v == null ? dflt : ((Number) v).longValue();
    }

    boolean flag(String name, boolean dflt) {
        Object v = values.get(name);
        return v == null ? dflt : (Boolean) v;
    }

    List<Object> list(String name) {
        Object v = values.get(name);
        return v == null ? null : new ArrayList<>((List<?>) v);
    }

    /** A declared object of names to strings, e.g. new column name → expression. */
    Map<String, String> map(String name) {
        Map<String, String> out = new LinkedHashMap<>();
        ((Map<?, ?>) values.get(name)).forEach((k, v) -> out.put(String.valueOf(k), (String) v));
        return out;
    }

    List<Integer> integers(String name, List<Integer> dflt) {
        List<Object> l = list(name);
        return l == null ? dflt : l.stream().map(o -> Math.toIntExact(((Number) o).longValue())).toList();
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
