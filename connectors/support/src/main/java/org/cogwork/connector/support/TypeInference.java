package org.cogwork.connector.support;

import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.cogwork.api.data.DataType;
import org.cogwork.api.data.Field;
import org.cogwork.api.data.Schema;

/**
 * Infers column types from sample values: the narrowest of INT, DOUBLE, BOOLEAN, DATE, TIMESTAMP that every
 * non-missing value parses as; otherwise CATEGORICAL (few distinct values), TEXT (long, spaced values, e.g.
 * reviews) or STRING. Overrides win.
 */
public final class TypeInference {
    /** Distinct values up to which a string column is categorical. */
    static final int MAX_LEVELS = 50;

    private final List<String> names;
    private final List<Stats> stats = new ArrayList<>();

    public TypeInference(List<String> names) {
        this.names = List.copyOf(names);
        for (int i = 0; i < names.size(); i++) {
            stats.add(new Stats());
        }
    }

    /** Feeds one sample value of column {@code i}; {@code null} is a missing value. */
    public void accept(int i, String value) {
        if (value != null) {
            stats.get(i).accept(value);
        }
    }

    public Schema schema(Map<String, DataType> overrides) {
        for (String column : overrides.keySet()) {
            if (!names.contains(column)) {
                throw new IllegalArgumentException("type override names unknown column '" + column + "'; columns are " + names);
            }
        }
        List<Field> fields = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            DataType t = overrides.getOrDefault(names.get(i), stats.get(i).type());
            fields.add(new Field(names.get(i), t, true));
        }
        return new Schema(fields);
    }

    /**
     * Parses overrides written as {@code column:TYPE} pairs separated by commas, e.g.
     * {@code "Status:CATEGORICAL, Age:DOUBLE"}.
     */
    public static Map<String, DataType> parseOverrides(String spec, String field) {
        Map<String, DataType> out = new LinkedHashMap<>();
        if (spec == null || spec.isBlank()) {
            return out;
        }
        for (String part : spec.split(",")) {
            String[] kv = part.trim().split(":", 2);
            if (kv.length != 2 || kv[0].isBlank()) {
                throw new IllegalArgumentException(field + ": expected column:TYPE, was '" + part.trim() + "'");
            }
            // VECTOR is what feature extraction produces, never the type of a text cell
            List<DataType> cellTypes = java.util.Arrays.stream(DataType.values()).filter(t -> t != DataType.VECTOR).toList();
            DataType type = cellTypes.stream().filter(t -> t.name().equals(kv[1].trim().toUpperCase(Locale.ROOT)))
                    .findFirst().orElseThrow(() -> new IllegalArgumentException(field + ": unknown type '" + kv[1].trim()
                            + "' for column '" + kv[0].trim() + "'; use one of " + cellTypes));
            out.put(kv[0].trim(), type);
        }
        return out;
    }

    private static final class Stats {
        long count;
        boolean isInt = true;
        boolean isDouble = true;
        boolean isBool = true;
        boolean isDate = true;
        boolean isTimestamp = true;
        long totalLength;
        long spaced;
        final Set<String> distinct = new HashSet<>();

        void accept(String v) {
            count++;
            totalLength += v.length();
            if (v.indexOf(' ') >= 0) {
                spaced++;
            }
            if (distinct.size() <= MAX_LEVELS) {
                distinct.add(v);
            }
            String t = v.trim();
            if (isInt) {
                isInt = parses(() -> Long.parseLong(t));
            }
            if (isDouble) {
                isDouble = parses(() -> Double.parseDouble(t)) && !t.isEmpty() && !Character.isLetter(t.charAt(t.length() - 1));
            }
            if (isBool) {
                isBool = t.equalsIgnoreCase("true") || t.equalsIgnoreCase("false");
            }
            if (isDate) {
                isDate = t.length() == 10 && parses(() -> LocalDate.parse(t));
            }
            if (isTimestamp) {
                isTimestamp = t.length() > 10 && parses(() -> Values.parseTimestamp(t));
            }
        }

        DataType type() {
            if (count == 0) {
                return DataType.STRING;
            }
            if (isInt) {
                return DataType.INT;
            }
            if (isDouble) {
                return DataType.DOUBLE;
            }
            if (isBool) {
                return DataType.BOOLEAN;
            }
            if (isDate) {
                return DataType.DATE;
            }
            if (isTimestamp) {
                return DataType.TIMESTAMP;
            }
            if (distinct.size() <= MAX_LEVELS && distinct.size() <= Math.max(2, count / 2)) {
                return DataType.CATEGORICAL;
            }
            if (totalLength / count >= 30 && spaced * 2 >= count) {
                return DataType.TEXT;
            }
            return DataType.STRING;
        }

        private static boolean parses(Runnable r) {
            try {
                r.run();
                return true;
            } catch (NumberFormatException | DateTimeParseException e) {
                return false;
            }
        }
    }
}
