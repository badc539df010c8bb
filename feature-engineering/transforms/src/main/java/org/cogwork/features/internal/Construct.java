package org.cogwork.features.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.cogwork.api.data.DataType;
import org.cogwork.api.data.Dataset;
import org.cogwork.api.data.Field;
import org.cogwork.api.data.Row;
import org.cogwork.api.data.Schema;
import org.cogwork.api.feature.FeatureTransform;
import org.osgi.service.component.annotations.Component;

/**
 * Feature construction: {@code expression} adds columns computed by {@link Expression}s
 * ({@code "expressions": {"debt_ratio": "Debt / Income", "log_amount": "log1p(Amount)"}}), and
 * {@code polynomial} adds squares (and cubes for {@code degree: 3}) of numeric {@code columns} and their
 * pairwise products ({@code interactions: true}).
 */
public abstract class Construct extends Transform {
    Construct(String name, Param... params) {
        super(name, params);
    }

    @Component(service = FeatureTransform.class, property = FeatureTransform.TRANSFORM_NAME + "=expression")
    public static final class Expressions extends Construct {
        public Expressions() {
            super("expression", Param.namedStrings("expressions").mandatory());
        }

        @Override
        Fitted fit(Schema input, Dataset data, Params p) {
            return built(input, p.map("expressions"), p);
        }
    }

    @Component(service = FeatureTransform.class, property = FeatureTransform.TRANSFORM_NAME + "=polynomial")
    public static final class Polynomial extends Construct {
        public Polynomial() {
            super("polynomial", Param.columns(), Param.whole("degree", 2, 3), Param.flag("interactions"));
        }

        @Override
        Fitted fit(Schema input, Dataset data, Params p) {
            List<String> cols = p.columns(input, DataType::isNumeric, "numeric");
            int degree = p.integer("degree", 2);
            Map<String, String> exprs = new LinkedHashMap<>();
            for (String c : cols) {
                for (int d = 2; d <= degree; d++) {
                    exprs.put(c + "^" + d, "[" + c + "]^" + d);
                }
            }
            if (p.flag("interactions", true)) {
                for (int i = 0; i < cols.size(); i++) {
                    for (int j = i + 1; j < cols.size(); j++) {
                        exprs.put(cols.get(i) + "*" + cols.get(j), "[" + cols.get(i) + "]*[" + cols.get(j) + "]");
                    }
                }
            }
            return built(input, exprs, p);
        }
    }

    Fitted built(Schema input, Map<String, String> exprs, Params p) {
        for (String n : exprs.keySet()) {
            if (input.indexOf(n) >= 0) {
                throw p.error(name().equals("expression") ? "expressions" : "columns", "column '" + n + "' exists already");
            }
        }
        try {
            return new Built(input, exprs);
        } catch (IllegalArgumentException e) {
            throw p.error(name().equals("expression") ? "expressions" : "columns", e.getMessage());
        }
    }

    @Override
    Fitted restore(Schema input, JsonNode state) {
        Map<String, String> exprs = new LinkedHashMap<>();
        state.path("expressions").fields().forEachRemaining(e -> exprs.put(e.getKey(), e.getValue().asText()));
        return new Built(input, exprs);
    }

    final class Built extends Fitted {
        private final Map<String, String> texts;
        private final List<Expression> exprs = new ArrayList<>();
        private final Schema output;

        Built(Schema input, Map<String, String> texts) {
            super(input);
            this.texts = texts;
            List<Field> out = new ArrayList<>(input.fields());
            texts.forEach((n, t) -> {
                exprs.add(Expression.parse(t, input));
                out.add(Field.of(n, DataType.DOUBLE));
            });
            this.output = new Schema(out);
        }

        @Override
        public Schema outputSchema() {
            return output;
        }

        @Override
        public Row apply(Row row) {
            Object[] v = java.util.Arrays.copyOf(row.values(), output.size());
            for (int k = 0; k < exprs.size(); k++) {
                double x = exprs.get(k).evaluate(row);
                v[input.size() + k] = Double.isNaN(x) || Double.isInfinite(x) ? null : x;
            }
            return new Row(output, v);
        }

        @Override
        ObjectNode state() {
            ObjectNode s = State.JSON.createObjectNode();
            s.set("expressions", State.JSON.valueToTree(texts));
            return s;
        }
    }
}
