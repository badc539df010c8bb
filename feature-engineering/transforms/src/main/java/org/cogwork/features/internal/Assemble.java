package org.cogwork.features.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import org.cogwork.api.data.DataType;
import org.cogwork.api.data.Dataset;
import org.cogwork.api.data.Field;
import org.cogwork.api.data.Row;
import org.cogwork.api.data.Schema;
import org.cogwork.api.data.Vector;
import org.cogwork.api.feature.FeatureTransform;
import org.osgi.service.component.annotations.Component;

/**
 * Assembles numeric columns into one dense VECTOR column, e.g. the 784 pixel columns of an image read from CSV
 * ({@code "prefix": "px"}) into {@code image}. The columns are {@code columns} in the given order, or those whose
 * names start with {@code prefix} in schema order, or by default every numeric column but the target. They leave the
 * rows; the vector takes the place of the first. Booleans count 1 and 0; a missing value becomes 0 (impute first
 * where that is wrong).
 */
@Component(service = FeatureTransform.class, property = FeatureTransform.TRANSFORM_NAME + "=vector")
public final class Assemble extends Transform {
    public Assemble() {
        super("vector", Param.columns(), Param.text("prefix"), Param.text("name"));
    }

    @Override
    void check(Params p) {
        if (p.has("prefix") && p.has("columns")) {
            throw p.invalid("prefix", "give columns or prefix, not both");
        }
    }

    @Override
    Fitted fit(Schema input, Dataset data, Params p) {
        String prefix = p.string("prefix", null);
        List<String> cols;
        if (prefix != null) {
            cols = input.fields().stream().filter(f -> f.name().startsWith(prefix) && Params.numeric(f.type())
                    && !f.name().equals(p.target())).map(Field::name).toList();
        } else {
            cols = p.columns(input, Params::numeric, "numeric");
        }
        if (cols.isEmpty()) {
            throw p.error(prefix != null ? "prefix" : "columns", "no numeric column to assemble");
        }
        String name = p.string("name", "vector");
        if (input.field(name).isPresent() && !cols.contains(name)) {
            throw p.error("name", "column '" + name + "' exists already");
        }
        return new Assembled(input, cols, name);
    }

    @Override
    Fitted restore(Schema input, JsonNode state) {
        List<String> cols = new ArrayList<>();
        state.path("columns").forEach(c -> cols.add(c.asText()));
        return new Assembled(input, cols, state.path("name").asText());
    }

    final class Assembled extends Fitted {
        private final List<String> columns;
        private final String name;
        private final IntoOne layout;

        Assembled(Schema input, List<String> columns, String name) {
            super(input);
            this.columns = List.copyOf(columns);
            this.name = name;
            this.layout = new IntoOne(input, columns.stream().mapToInt(this::col).toArray(), new Field(name, DataType.VECTOR, false));
        }

        @Override
        public Schema outputSchema() {
            return layout.output;
        }

        @Override
        public Row apply(Row row) {
            int[] sources = layout.sources;
            double[] values = new double[sources.length];
            for (int k = 0; k < sources.length; k++) {
                Object v = row.get(sources[k]);
                values[k] = v instanceof Number n ? n.doubleValue() : v instanceof Boolean b ? (b ? 1 : 0) : 0;
            }
            return layout.row(row, Vector.dense(values));
        }

        @Override
        ObjectNode state() {
            ObjectNode s = State.JSON.createObjectNode().put("name", name);
            columns.forEach(s.putArray("columns")::add);
            return s;
        }
    }
}
