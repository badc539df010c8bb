package org.cogwork.features.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
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
 * Encodings of categorical columns into numbers, learnt from training rows:
 * {@code onehot} (a 0/1 column per level, at most {@code maxLevels} most frequent; an unseen or missing
 * value is all zeros), {@code frequency} (the level's share of training rows; unseen 0) and
 * {@code ordinal} (the level's position in {@code order}, or in sorted order; unseen or missing -1).
 */
public abstract class Encode extends Transform {
    Encode(String name, Param... params) {
        super(name, params);
    }

    @Component(service = FeatureTransform.class, property = FeatureTransform.TRANSFORM_NAME + "=onehot")
    public static final class OneHot extends Encode {
        public OneHot() {
            super("onehot", Param.columns(), Param.whole("maxLevels", 1), Param.whole("minCount", 1));
        }
    }

    @Component(service = FeatureTransform.class, property = FeatureTransform.TRANSFORM_NAME + "=frequency")
    public static final class Frequency extends Encode {
        public Frequency() {
            super("frequency", Param.columns());
        }
    }

    @Component(service = FeatureTransform.class, property = FeatureTransform.TRANSFORM_NAME + "=ordinal")
    public static final class Ordinal extends Encode {
        public Ordinal() {
            super("ordinal", Param.columns(), Param.list("order", "an array of levels (strings, numbers or booleans)", Param::isScalar));
        }
    }

    /** Level counts per column over the training rows. */
    static Map<String, Map<String, Long>> counts(Schema input, Dataset data, List<String> cols) {
        Map<String, Map<String, Long>> counts = new LinkedHashMap<>();
        cols.forEach(c -> counts.put(c, new TreeMap<>()));
        try (RowCursor c = data.open()) {
            while (c.hasNext()) {
                Row r = c.next();
                for (String col : cols) {
                    Object v = r.get(input.indexOf(col));
                    if (v != null) {
                        counts.get(col).merge(v.toString(), 1L, Long::sum);
                    }
                }
            }
        }
        return counts;
    }

    @Override
    Fitted fit(Schema input, Dataset data, Params p) {
        List<String> cols = p.columns(input, Params::categorical, "categorical");
        Map<String, Map<String, Long>> counts = counts(input, data, cols);
        Map<String, Map<String, Double>> codes = new LinkedHashMap<>();
        for (String col : cols) {
            Map<String, Long> c = counts.get(col);
            long total = c.values().stream().mapToLong(Long::longValue).sum();
            Map<String, Double> m = new LinkedHashMap<>();
            switch (name()) {
                case "onehot" -> {
                    int max = p.integer("maxLevels", 50);
                    int min = p.integer("minCount", 1);
                    c.entrySet().stream().filter(e -> e.getValue() >= min)
                            .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                            .limit(max).map(Map.Entry::getKey).sorted().forEach(l -> m.put(l, 1.0));
                }
                case "frequency" -> c.forEach((l, n) -> m.put(l, n / (double) total));
                default -> {
                    List<Object> order = p.list("order");
                    List<String> levels = order == null ? new ArrayList<>(c.keySet()) : order.stream().map(String::valueOf).toList();
                    for (int i = 0; i < levels.size(); i++) {
                        m.put(levels.get(i), (double) i);
                    }
                }
            }
            codes.put(col, m);
        }
        return new Encoded(input, codes);
    }

    @Override
    Fitted restore(Schema input, JsonNode state) {
        Map<String, Map<String, Double>> codes = new LinkedHashMap<>();
        state.path("codes").fields().forEachRemaining(e -> {
            Map<String, Double> m = new LinkedHashMap<>();
            e.getValue().fields().forEachRemaining(l -> m.put(l.getKey(), l.getValue().asDouble()));
            codes.put(e.getKey(), m);
        });
        return new Encoded(input, codes);
    }

    final class Encoded extends Fitted {
        private final Map<String, Map<String, Double>> codes;
        private final Schema output;
        /** For each output column: the input position it comes from, and for one-hot the level it tests. */
        private final int[] source;
        private final String[] level;

        Encoded(Schema input, Map<String, Map<String, Double>> codes) {
            super(input);
            this.codes = codes;
            List<Field> out = new ArrayList<>();
            List<Integer> src = new ArrayList<>();
            List<String> lvl = new ArrayList<>();
            for (int i = 0; i < input.size(); i++) {
                Field f = input.fields().get(i);
                Map<String, Double> m = codes.get(f.name());
                if (m == null) {
                    out.add(f);
                    src.add(i);
                    lvl.add(null);
                } else if (name().equals("onehot")) {
                    for (String l : m.keySet()) {
                        out.add(new Field(f.name() + "=" + l, DataType.INT, false));
                        src.add(i);
                        lvl.add(l);
                    }
                } else {
                    out.add(new Field(f.name(), name().equals("ordinal") ? DataType.INT : DataType.DOUBLE, false));
                    src.add(i);
                    lvl.add("");
                }
            }
            this.output = new Schema(out);
            this.source = src.stream().mapToInt(Integer::intValue).toArray();
            this.level = lvl.toArray(String[]::new);
        }

        @Override
        public Schema outputSchema() {
            return output;
        }

        @Override
        public Row apply(Row row) {
            Object[] v = new Object[source.length];
            for (int k = 0; k < source.length; k++) {
                Object in = row.get(source[k]);
                if (level[k] == null) {
                    v[k] = in;
                } else if (name().equals("onehot")) {
                    v[k] = in != null && in.toString().equals(level[k]) ? 1L : 0L;
                } else {
                    Double code = in == null ? null : codes.get(input.fields().get(source[k]).name()).get(in.toString());
                    v[k] = name().equals("ordinal") ? (Object) (code == null ? -1L : code.longValue()) : (Object) (code == null ? 0.0 : code);
                }
            }
            return new Row(output, v);
        }

        @Override
        ObjectNode state() {
            ObjectNode s = State.JSON.createObjectNode();
            s.set("codes", State.JSON.valueToTree(codes));
            return s;
        }
    }
}
