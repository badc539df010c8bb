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
import org.cogwork.api.feature.FeatureTransform;
import org.osgi.service.component.annotations.Component;

/**
 * Joins several text columns into one TEXT column, so that two-field text (an email's subject and body, a review's
 * title and text) reaches a transform or model that takes one text column ({@code tfidf}, {@code tokens},
 * DJL's {@code text-embedding}): {@code {"transform": "concat", "params": {"columns": ["subject", "body"],
 * "name": "text"}}}. The parts are joined in the given order with {@code separator} (default one space); a missing
 * part is left out, and a row with every part missing gets a missing value. The source columns leave the rows; the
 * joined column takes the place of the first. Nothing is fitted.
 */
@Component(service = FeatureTransform.class, property = FeatureTransform.TRANSFORM_NAME + "=concat")
public final class Concat extends Transform {
    public Concat() {
        super("concat", Param.columns().mandatory(), Param.text("name"), Param.string("separator", 100));
    }

    @Override
    void check(Params p) {
        if (p.list("columns").size() < 2) {
            throw p.invalid("columns", "concat needs at least two columns, was " + p.list("columns").size());
        }
    }

    @Override
    Fitted fit(Schema input, Dataset data, Params p) {
        List<String> cols = p.columns(input, Concat::textual, "text");
        String name = p.string("name", "text");
        if (input.field(name).isPresent() && !cols.contains(name)) {
            throw p.error("name", "column '" + name + "' exists already");
        }
        return new Joined(input, cols, name, p.string("separator", " "));
    }

    private static boolean textual(DataType t) {
        return t == DataType.TEXT || t == DataType.STRING || t == DataType.CATEGORICAL;
    }

    @Override
    Fitted restore(Schema input, JsonNode state) {
        List<String> cols = new ArrayList<>();
        state.path("columns").forEach(c -> cols.add(c.asText()));
        return new Joined(input, cols, state.path("name").asText(), state.path("separator").asText());
    }

    final class Joined extends Fitted {
        private final List<String> columns;
        private final String name;
        private final String separator;
        private final IntoOne layout;

        Joined(Schema input, List<String> columns, String name, String separator) {
            super(input);
            this.columns = List.copyOf(columns);
            this.name = name;
            this.separator = separator;
            this.layout = new IntoOne(input, columns.stream().mapToInt(this::col).toArray(), new Field(name, DataType.TEXT, true));
        }

        @Override
        public Schema outputSchema() {
            return layout.output;
        }

        @Override
        public Row apply(Row row) {
            StringBuilder text = null;
            for (int s : layout.sources) {
                Object v = row.get(s);
                if (v == null) {
                    continue;
                }
                if (text == null) {
                    text = new StringBuilder();
                } else {
                    text.append(separator);
                }
                text.append(v);
            }
            return layout.row(row, text == null ? null : text.toString());
        }

        @Override
        ObjectNode state() {
            ObjectNode s = State.JSON.createObjectNode().put("name", name).put("separator", separator);
            columns.forEach(s.putArray("columns")::add);
            return s;
        }
    }
}
