package org.cogwork.features.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.cogwork.api.data.DataType;
import org.cogwork.api.data.Dataset;
import org.cogwork.api.data.Field;
import org.cogwork.api.data.Row;
import org.cogwork.api.data.RowCursor;
import org.cogwork.api.data.Schema;
import org.cogwork.api.feature.FeatureTransform;
import org.osgi.service.component.annotations.Component;

/**
 * Features from earlier rows of a time series, whose rows must come in order of {@code orderBy}:
 * {@code lag} adds {@code <col>_lag<n>} (the value n rows back), {@code rolling} adds
 * {@code <col>_mean<w>} / {@code <col>_std<w>} over the previous w rows (the current row excluded, so the
 * target's own value never leaks). The last training rows are kept, so rows that follow the training period
 * (a time-based test split, or new days at prediction time) continue the series.
 */
public abstract class Temporal extends Transform {
    Temporal(String name, Param... params) {
        super(name, params);
    }

    private static boolean positive(Object v) {
        return Param.isWhole(v) && ((Number) v).longValue() >= 1 && ((Number) v).longValue() <= Integer.MAX_VALUE;
    }

    @Component(service = FeatureTransform.class, property = FeatureTransform.TRANSFORM_NAME + "=lag")
    public static final class Lag extends Temporal {
        public Lag() {
            super("lag", Param.columns().mandatory(), Param.list("lags", "an array of whole numbers >= 1", Temporal::positive),
                    Param.text("orderBy").mandatory());
        }
    }

    @Component(service = FeatureTransform.class, property = FeatureTransform.TRANSFORM_NAME + "=rolling")
    public static final class Rolling extends Temporal {
        public Rolling() {
            super("rolling", Param.columns().mandatory(), Param.list("windows", "an array of whole numbers >= 1", Temporal::positive),
                    Param.list("stats", "an array of mean and/or std", s -> s.equals("mean") || s.equals("std")),
                    Param.text("orderBy").mandatory());
        }
    }

    @Override
    Fitted fit(Schema input, Dataset data, Params p) {
        List<String> cols = p.columns(input, Params::numeric, "numeric", true);
        String orderBy = p.string("orderBy", null);
        int o = input.indexOf(orderBy);
        if (o < 0) {
            throw p.error("orderBy", "unknown column '" + orderBy + "'");
        }
        List<Integer> sizes = name().equals("lag") ? p.integers("lags", List.of(1)) : p.integers("windows", List.of(7));
        List<String> stats = new ArrayList<>();
        if (name().equals("rolling")) {
            List<Object> s = p.list("stats");
            for (Object x : s == null ? List.<Object>of("mean") : s) {
                stats.add((String) x);
            }
        }
        int keep = sizes.stream().mapToInt(Integer::intValue).max().orElse(1);
        Map<String, Deque<Double>> tail = new LinkedHashMap<>();
        cols.forEach(c -> tail.put(c, new ArrayDeque<>()));
        Object previous = null;
        long line = 0;
        try (RowCursor c = data.open()) {
            while (c.hasNext()) {
                Row r = c.next();
                line++;
                Object key = r.get(o);
                if (previous != null && key != null && compare(key, previous) < 0) {
                    throw p.error("orderBy", "rows must come in order of '" + orderBy + "' (row " + line
                            + " goes back in time): order the query by it");
                }
                previous = key == null ? previous : key;
                for (String col : cols) {
                    push(tail.get(col), State.number(r, input.indexOf(col)), keep);
                }
            }
        }
        return new Series(input, cols, sizes, stats, tail);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static int compare(Object a, Object b) {
        if (a instanceof Number x && b instanceof Number y) {
            return Double.compare(x.doubleValue(), y.doubleValue());
        }
        return ((Comparable) a).compareTo(b);
    }

    static void push(Deque<Double> history, double v, int keep) {
        history.addLast(v);
        while (history.size() > keep) {
            history.removeFirst();
        }
    }

    @Override
    Fitted restore(Schema input, JsonNode s) {
        List<String> cols = new ArrayList<>();
        s.path("columns").forEach(n -> cols.add(n.asText()));
        List<Integer> sizes = new ArrayList<>();
        s.path("sizes").forEach(n -> sizes.add(n.asInt()));
        List<String> stats = new ArrayList<>();
        s.path("stats").forEach(n -> stats.add(n.asText()));
        Map<String, Deque<Double>> tail = new LinkedHashMap<>();
        s.path("tail").fields().forEachRemaining(e -> {
            Deque<Double> d = new ArrayDeque<>();
            e.getValue().forEach(n -> d.addLast(n.isNull() ? Double.NaN : n.asDouble()));
            tail.put(e.getKey(), d);
        });
        return new Series(input, cols, sizes, stats, tail);
    }

    final class Series extends Fitted {
        private final List<String> cols;
        private final List<Integer> sizes;
        private final List<String> stats;
        private final Map<String, Deque<Double>> tail;
        private final int keep;
        private final Schema output;

        Series(Schema input, List<String> cols, List<Integer> sizes, List<String> stats, Map<String, Deque<Double>> tail) {
            super(input);
            this.cols = cols;
            this.sizes = sizes;
            this.stats = stats;
            this.tail = tail;
            this.keep = sizes.stream().mapToInt(Integer::intValue).max().orElse(1);
            List<Field> out = new ArrayList<>(input.fields());
            for (String c : cols) {
                for (int n : sizes) {
                    if (name().equals("lag")) {
                        out.add(Field.of(c + "_lag" + n, DataType.DOUBLE));
                    } else {
                        stats.forEach(st -> out.add(Field.of(c + "_" + st + n, DataType.DOUBLE)));
                    }
                }
            }
            this.output = new Schema(out);
        }

        @Override
        public Schema outputSchema() {
            return output;
        }

        /** One row on its own continues the training series (its history is the training tail). */
        @Override
        public Row apply(Row row) {
            return features(row, copy(tail));
        }

        @Override
        public Dataset apply(Dataset in) {
            return over(in, true);
        }

        @Override
        public Dataset applyToTraining(Dataset training) {
            return over(training, false);
        }

        private Dataset over(Dataset in, boolean continueTraining) {
            return new Dataset() {
                @Override
                public Schema schema() {
                    return output;
                }

                @Override
                public RowCursor open() {
                    RowCursor c = in.open();
                    Map<String, Deque<Double>> history = continueTraining ? copy(tail) : empty();
                    return new RowCursor() {
                        @Override
                        public boolean hasNext() {
                            return c.hasNext();
                        }

                        @Override
                        public Row next() {
                            if (!hasNext()) {
                                throw new NoSuchElementException();
                            }
                            Row r = c.next();
                            Row out = features(r, history);
                            for (String col : cols) {
                                push(history.get(col), State.number(r, col(col)), keep);
                            }
                            return out;
                        }

                        @Override
                        public void close() {
                            c.close();
                        }
                    };
                }
            };
        }

        private Map<String, Deque<Double>> empty() {
            Map<String, Deque<Double>> m = new HashMap<>();
            cols.forEach(c -> m.put(c, new ArrayDeque<>()));
            return m;
        }

        private Map<String, Deque<Double>> copy(Map<String, Deque<Double>> from) {
            Map<String, Deque<Double>> m = new HashMap<>();
            from.forEach((k, v) -> m.put(k, new ArrayDeque<>(v)));
            return m;
        }

        private Row features(Row row, Map<String, Deque<Double>> history) {
            Object[] v = java.util.Arrays.copyOf(row.values(), output.size());
            int o = input.size();
            for (String c : cols) {
                List<Double> h = new ArrayList<>(history.get(c));
                for (int n : sizes) {
                    if (name().equals("lag")) {
                        v[o++] = h.size() >= n ? nullIfNaN(h.get(h.size() - n)) : null;
                        continue;
                    }
                    List<Double> window = h.size() >= n ? h.subList(h.size() - n, h.size()) : List.of();
                    double[] w = window.stream().mapToDouble(Double::doubleValue).filter(x -> !Double.isNaN(x)).toArray();
                    for (String st : stats) {
                        if (w.length == 0) {
                            v[o++] = null;
                        } else if (st.equals("mean")) {
                            v[o++] = java.util.Arrays.stream(w).average().orElseThrow();
                        } else {
                            v[o++] = w.length < 2 ? null : Math.sqrt(Select.variance(w));
                        }
                    }
                }
            }
            return new Row(output, v);
        }

        private static Object nullIfNaN(double d) {
            return Double.isNaN(d) ? null : d;
        }

        @Override
        ObjectNode state() {
            ObjectNode s = State.JSON.createObjectNode();
            cols.forEach(s.putArray("columns")::add);
            sizes.forEach(s.putArray("sizes")::add);
            stats.forEach(s.putArray("stats")::add);
            ObjectNode t = s.putObject("tail");
            tail.forEach((c, d) -> {
                var a = t.putArray(c);
                d.forEach(x -> {
                    if (Double.isNaN(x)) {
                        a.addNull();
                    } else {
                        a.add(x);
                    }
                });
            });
            return s;
        }
    }
}
