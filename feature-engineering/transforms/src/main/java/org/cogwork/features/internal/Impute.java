package org.cogwork.features.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.cogwork.api.data.DataType;
import org.cogwork.api.data.Dataset;
import org.cogwork.api.data.Field;
import org.cogwork.api.data.Row;
import org.cogwork.api.data.RowCursor;
import org.cogwork.api.data.Schema;
import org.cogwork.api.feature.FeatureTransform;
import org.osgi.service.component.annotations.Component;

/**
 * Missing-value imputation: {@code strategy} mean, median (numeric columns), mode (any) or constant
 * ({@code value}); with {@code indicator: true} a column {@code <col>_missing} (0/1) records where a value
 * was filled. Default columns: every column with a missing value in the training rows.
 */
@Component(service = FeatureTransform.class, property = FeatureTransform.TRANSFORM_NAME + "=impute")
public final class Impute extends Transform {
    public Impute() {
        super("impute", Param.columns(), Param.oneOf("strategy", "mean", "median", "mode", "constant"), Param.scalar("value"),
                Param.flag("indicator"));
    }

    @Override
    void check(Params p) {
        if (p.string("strategy", "median").equals("constant") != p.has("value")) {
            throw p.invalid("value", p.has("value") ? "a value is only used by the constant strategy" : "the constant strategy needs a value");
        }
    }

    @Override
    Fitted fit(Schema input, Dataset data, Params p) {
        String strategy = p.string("strategy", "median");
        boolean numericOnly = strategy.equals("mean") || strategy.equals("median");
        List<String> cols = p.columns(input, t -> !numericOnly || Params.numeric(t), numericOnly ? "numeric" : "any");
        Map<String, List<Double>> nums = new HashMap<>();
        Map<String, Map<String, Integer>> counts = new HashMap<>();
        Map<String, Integer> missing = new HashMap<>();
        try (RowCursor c = data.open()) {
            while (c.hasNext()) {
                Row r = c.next();
                for (String col : cols) {
                    Object v = r.get(input.indexOf(col));
                    if (v == null) {
                        missing.merge(col, 1, Integer::sum);
                    } else if (numericOnly) {
                        nums.computeIfAbsent(col, k -> new ArrayList<>()).add(State.number(r, input.indexOf(col)));
                    } else {
                        counts.computeIfAbsent(col, k -> new TreeMap<>()).merge(v.toString(), 1, Integer::sum);
                    }
                }
            }
        }
        if (p.list("columns") == null) {
            cols = cols.stream().filter(missing::containsKey).toList();
        }
        Map<String, Object> fill = new java.util.LinkedHashMap<>();
        for (String col : cols) {
            DataType type = input.require(col).type();
            Object value = switch (strategy) {
                case "mean" -> nums.getOrDefault(col, List.of()).stream().mapToDouble(Double::doubleValue).average().orElse(0);
                case "median" -> Scale.quantile(nums.getOrDefault(col, List.of()).stream().mapToDouble(Double::doubleValue)
                        .sorted().toArray(), 0.5);
                case "mode" -> counts.getOrDefault(col, Map.of()).entrySet().stream()
                        .max(Map.Entry.<String, Integer>comparingByValue().thenComparing(Map.Entry.comparingByKey(
                                java.util.Comparator.reverseOrder())))
                        .map(Map.Entry::getKey).orElse(null);
                default -> p.scalar("value");
            };
            fill.put(col, typed(value, type));
        }
        return new Imputed(input, fill, p.flag("indicator", false));
    }

    /** The fill value in the column's own type where it fits (a mean of an INT column becomes DOUBLE). */
    private static Object typed(Object v, DataType type) {
        if (v == null) {
            return null;
        }
        if (type.isNumeric()) {
            double d = v instanceof Number n ? n.doubleValue() : Double.parseDouble(v.toString());
            return type == DataType.INT && d == Math.rint(d) ? (Object) (long) d : (Object) d;
        }
        if (type == DataType.BOOLEAN) {
            return Boolean.valueOf(v.toString());
        }
        return v.toString();
    }

    @Override
    Fitted restore(Schema input, JsonNode state) {
        Map<String, Object> fill = new java.util.LinkedHashMap<>();
        state.path("fill").fields().forEachRemaining(e -> {
            JsonNode v = e.getValue();
            DataType t = input.require(e.getKey()).type();
            fill.put(e.getKey(), v.isNull() ? null : typed(v.isNumber() ? v.numberValue() : v.asText(), t));
        });
        return new Imputed(input, fill, state.path("indicator").asBoolean());
    }

    final class Imputed extends Fitted {
        private final Map<String, Object> fill;
        private final boolean indicator;
        private final Schema output;
        private final int[] positions;

        Imputed(Schema input, Map<String, Object> fill, boolean indicator) {
            super(input);
            this.fill = fill;
            this.indicator = indicator;
            this.positions = fill.keySet().stream().mapToInt(input::indexOf).toArray();
            List<Field> out = new ArrayList<>(input.fields());
            for (String col : fill.keySet()) {
                int i = input.indexOf(col);
                Object f = fill.get(col);
                DataType t = input.fields().get(i).type() == DataType.INT && f instanceof Double ? DataType.DOUBLE : input.fields().get(i).type();
                out.set(i, new Field(col, t, f == null));
            }
            if (indicator) {
                fill.keySet().forEach(c -> out.add(new Field(c + "_missing", DataType.INT, false)));
            }
            this.output = new Schema(out);
        }

        @Override
        public Schema outputSchema() {
            return output;
        }

        @Override
        public Row apply(Row row) {
            Object[] in = row.values();
            Object[] v = java.util.Arrays.copyOf(in, output.size());
            int k = 0;
            for (Object f : fill.values()) {
                int i = positions[k];
                boolean missing = in[i] == null;
                if (missing) {
                    v[i] = f;
                } else if (output.fields().get(i).type() == DataType.DOUBLE && in[i] instanceof Number n) {
                    v[i] = n.doubleValue();
                }
                if (indicator) {
                    v[input.size() + k] = missing ? 1L : 0L;
                }
                k++;
            }
            return new Row(output, v);
        }

        @Override
        ObjectNode state() {
            ObjectNode s = State.JSON.createObjectNode();
            s.set("fill", State.JSON.valueToTree(fill));
            s.put("indicator", indicator);
            return s;
        }
    }
}
