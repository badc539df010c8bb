package org.cogwork.engine.djl;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Typed hyperparameters of one request; every error names the parameter. Records what was resolved. */
final class Params {
    private final Algorithm algorithm;
    private final Map<String, Object> given;
    private final Map<String, Object> resolved = new LinkedHashMap<>();

    Params(Algorithm algorithm, Map<String, Object> given) {
        this.algorithm = algorithm;
        this.given = given;
        for (String name : given.keySet()) {
            if (!algorithm.parameters.containsKey(name)) {
                throw new IllegalArgumentException("unknown hyperparameter '" + name + "' for djl " + algorithm.algorithmName
                        + "; use " + String.join(", ", algorithm.parameters.keySet()));
            }
        }
    }

    /** The resolved values, for provenance. */
    Map<String, Object> resolved() {
        return resolved;
    }

    int integer(String name, int def, int min) {
        Object v = given.get(name);
        int value;
        if (v == null) {
            value = def;
        } else if (v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())) {
            value = n.intValue();
        } else if (v instanceof String s && s.trim().matches("-?\\d+")) {
            value = Integer.parseInt(s.trim());
        } else {
            throw error(name, "must be an integer, was " + v);
        }
        if (value < min) {
            throw error(name, "must be >= " + min + ", was " + value);
        }
        resolved.put(name, value);
        return value;
    }

    double decimal(String name, double def, double min, double maxExclusive) {
        Object v = given.get(name);
        double value;
        try {
            value = v == null ? def : v instanceof Number n ? n.doubleValue() : Double.parseDouble(v.toString().trim());
        } catch (NumberFormatException e) {
            throw error(name, "must be a number, was " + v);
        }
        if (!(value >= min && value < maxExclusive)) {
            throw error(name, "must be in [" + min + ", " + maxExclusive + "), was " + value);
        }
        resolved.put(name, value);
        return value;
    }

    boolean flag(String name, boolean def) {
        Object v = given.get(name);
        boolean value;
        if (v == null) {
            value = def;
        } else if (v instanceof Boolean b) {
            value = b;
        } else if ("true".equals(v.toString()) || "false".equals(v.toString())) {
            value = Boolean.parseBoolean(v.toString());
        } else {
            throw error(name, "must be true or false, was " + v);
        }
        resolved.put(name, value);
        return value;
    }

    String string(String name, String def) {
        Object v = given.get(name);
        String value = v == null ? def : v.toString();
        if (value != null) {
            resolved.put(name, value);
        }
        return value;
    }

    /** A list of positive sizes: a JSON array, one number, or a comma-separated string. */
    int[] sizes(String name, int[] def) {
        Object v = given.get(name);
        List<Object> items = new ArrayList<>();
        if (v == null) {
            resolved.put(name, def);
            return def;
        } else if (v instanceof Collection<?> c) {
            items.addAll(c);
        } else if (v instanceof String s) {
            for (String part : s.split(",")) {
                if (!part.isBlank()) {
                    items.add(part.trim());
                }
            }
        } else {
            items.add(v);
        }
        int[] out = new int[items.size()];
        for (int i = 0; i < out.length; i++) {
            Object item = items.get(i);
            try {
                out[i] = item instanceof Number n ? n.intValue() : Integer.parseInt(item.toString());
            } catch (NumberFormatException e) {
                throw error(name, "must list layer sizes, was " + v);
            }
            if (out[i] < 1) {
                throw error(name, "layer sizes must be >= 1, was " + v);
            }
        }
        resolved.put(name, out);
        return out;
    }

    IllegalArgumentException error(String name, String message) {
        return new IllegalArgumentException("hyperparameter '" + name + "' of djl " + algorithm.algorithmName + " " + message);
    }
}
