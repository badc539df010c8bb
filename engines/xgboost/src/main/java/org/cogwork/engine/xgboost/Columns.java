package org.cogwork.engine.xgboost;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.TreeSet;
import org.cogwork.api.data.DataType;
import org.cogwork.api.data.Field;
import org.cogwork.api.data.Row;
import org.cogwork.api.data.Schema;
import org.cogwork.api.data.Vector;

/**
 * How rows become XGBoost's float matrix, the same way at training and at prediction time. Numbers and booleans take
 * one slot each; a categorical or string column one slot per level seen in training (1 for the row's level, 0 for the
 * others, all 0 for a level never seen); a VECTOR column its dimension (a sparse vector's absent entries are 0).
 *
 * <p>A missing value is {@link Float#NaN} in every slot of its column, never 0 or a mean: XGBoost learns for each
 * split which way missing values go, so a null, a NaN or an infinite number (the pipeline leaves missing values
 * missing unless an impute step fills them) reaches the trees as missing. Immutable once laid out;
 * {@link #encode} is thread-safe.
 */
final class Columns {
    enum Kind { NUMBER, VECTOR, CATEGORY }

    record Column(String name, DataType type, Kind kind, int offset, int width, List<String> levels) {
    }

    private final Schema schema;
    private final List<Column> columns;
    private final int width;
    private volatile Binding binding;

    private Columns(Schema schema, List<Column> columns) {
        this.schema = schema;
        this.columns = List.copyOf(columns);
        this.width = columns.isEmpty() ? 0 : columns.get(columns.size() - 1).offset + columns.get(columns.size() - 1).width;
    }

    /** Learns the layout (levels, vector dimensions) while the training rows go by, one row at a time. */
    static final class Builder {
        private final Schema features;
        private final List<TreeSet<String>> levels = new ArrayList<>();
        private final int[] dimensions;
        private int[] positions;
        private Schema rowSchema;

        /** @throws IllegalArgumentException naming a column of a type the engine cannot use */
        Builder(Schema features) {
            for (Field f : features.fields()) {
                switch (f.type()) {
                    case TEXT -> throw new IllegalArgumentException("column '" + f.name()
                            + "' is TEXT: add a text transform (e.g. tfidf) before the engine");
                    case DATE, TIMESTAMP -> throw new IllegalArgumentException("column '" + f.name() + "' is " + f.type()
                            + ": add time features (calendar) before the engine");
                    default -> { }
                }
                levels.add(new TreeSet<>());
            }
            if (features.size() == 0) {
                throw new IllegalArgumentException("no feature columns to learn from");
            }
            this.features = features;
            this.dimensions = new int[features.size()];
            Arrays.fill(dimensions, -1);
        }

        void add(Row row) {
            if (row.schema() != rowSchema) {
                rowSchema = row.schema();
                positions = features.fields().stream().mapToInt(f -> row.schema().indexOf(f.name())).toArray();
            }
            for (int c = 0; c < positions.length; c++) {
                Field f = features.fields().get(c);
                Object v = row.get(positions[c]);
                if (v == null) {
                    continue;
                }
                switch (f.type()) {
                    case CATEGORICAL, STRING -> levels.get(c).add(v.toString());
                    case VECTOR -> {
                        if (v instanceof Vector vec && dimensions[c] < 0) {
                            dimensions[c] = vec.dimension();
                        }
                    }
                    default -> { }
                }
            }
        }

        Columns build() {
            List<Column> out = new ArrayList<>();
            int offset = 0;
            for (int c = 0; c < features.size(); c++) {
                Field f = features.fields().get(c);
                Column col = switch (f.type()) {
                    case CATEGORICAL, STRING -> new Column(f.name(), f.type(), Kind.CATEGORY, offset, levels.get(c).size(),
                            List.copyOf(levels.get(c)));
                    case VECTOR -> {
                        if (dimensions[c] < 1) {
                            throw new IllegalArgumentException("column '" + f.name() + "' holds no vector to learn its dimension from");
                        }
                        yield new Column(f.name(), f.type(), Kind.VECTOR, offset, dimensions[c], List.of());
                    }
                    default -> new Column(f.name(), f.type(), Kind.NUMBER, offset, 1, List.of());
                };
                out.add(col);
                offset += col.width;
            }
            if (offset == 0) {
                throw new IllegalArgumentException("no feature values to learn from (every categorical column is empty)");
            }
            return new Columns(features, out);
        }
    }

    Schema schema() {
        return schema;
    }

    int width() {
        return width;
    }

    /** The name of each slot, as feature importance reports it: {@code column}, {@code column=level}, {@code column#i}. */
    List<String> slotNames() {
        List<String> names = new ArrayList<>(width);
        for (Column c : columns) {
            switch (c.kind) {
                case NUMBER -> names.add(c.name);
                case CATEGORY -> c.levels.forEach(l -> names.add(c.name + "=" + l));
                case VECTOR -> {
                    for (int k = 0; k < c.width; k++) {
                        names.add(c.name + "#" + k);
                    }
                }
            }
        }
        return names;
    }

    /**
     * Writes the row's features into {@code dst[off, off + width)}.
     *
     * @throws IllegalArgumentException naming the column when the row lacks it or holds a value of the wrong type
     */
    void encode(Row row, float[] dst, int off) {
        int[] positions = positions(row.schema());
        for (int ci = 0; ci < columns.size(); ci++) {
            Column c = columns.get(ci);
            Object v = row.get(positions[ci]);
            int p = off + c.offset;
            if (v == null) {
                Arrays.fill(dst, p, p + c.width, Float.NaN);
                continue;
            }
            switch (c.kind) {
                case NUMBER -> {
                    if (v instanceof Number num) {
                        float f = num.floatValue();
                        dst[p] = Float.isFinite(f) ? f : Float.NaN;
                    } else if (v instanceof Boolean b && c.type == DataType.BOOLEAN) {
                        dst[p] = b ? 1f : 0f;
                    } else {
                        throw wrongType(c, v);
                    }
                }
                case VECTOR -> {
                    if (!(v instanceof Vector vec)) {
                        throw wrongType(c, v);
                    }
                    if (vec.dimension() != c.width) {
                        throw new IllegalArgumentException("column '" + c.name + "' must be a vector of dimension " + c.width
                                + ", was " + vec.dimension());
                    }
                    if (vec.isSparse()) {
                        Arrays.fill(dst, p, p + c.width, 0f);
                        for (int k = 0; k < vec.size(); k++) {
                            dst[p + vec.indexAt(k)] = (float) vec.valueAt(k);
                        }
                    } else {
                        for (int k = 0; k < c.width; k++) {
                            dst[p + k] = (float) vec.valueAt(k);
                        }
                    }
                }
                case CATEGORY -> {
                    if (!(v instanceof String s)) {
                        throw wrongType(c, v);
                    }
                    Arrays.fill(dst, p, p + c.width, 0f);
                    int level = Collections.binarySearch(c.levels, s);
                    if (level >= 0) {
                        dst[p + level] = 1f;
                    }
                }
            }
        }
    }

    /** Where each column sits in rows of {@code rs}: looked up once per schema, since a batch shares one. */
    private int[] positions(Schema rs) {
        Binding b = binding;
        if (b != null && b.schema == rs) {
            return b.positions;
        }
        int[] positions = new int[columns.size()];
        for (int ci = 0; ci < positions.length; ci++) {
            positions[ci] = rs.indexOf(columns.get(ci).name);
            if (positions[ci] < 0) {
                throw new IllegalArgumentException("missing feature '" + columns.get(ci).name + "'");
            }
        }
        binding = new Binding(rs, positions);
        return positions;
    }

    private record Binding(Schema schema, int[] positions) {
    }

    private static IllegalArgumentException wrongType(Column c, Object v) {
        return new IllegalArgumentException("column '" + c.name + "' is " + c.type + " but holds a "
                + v.getClass().getSimpleName() + " (" + v + ")");
    }

    ObjectNode toJson() {
        ObjectNode n = ModelFile.JSON.createObjectNode();
        ArrayNode cols = n.putArray("columns");
        for (Column c : columns) {
            ObjectNode o = cols.addObject().put("name", c.name).put("type", c.type.name()).put("kind", c.kind.name())
                    .put("width", c.width);
            c.levels.forEach(o.putArray("levels")::add);
        }
        return n;
    }

    static Columns fromJson(JsonNode n) {
        List<Column> columns = new ArrayList<>();
        List<Field> fields = new ArrayList<>();
        int offset = 0;
        for (JsonNode c : n.path("columns")) {
            List<String> levels = new ArrayList<>();
            c.path("levels").forEach(l -> levels.add(l.asText()));
            DataType type = DataType.valueOf(c.path("type").asText());
            Column col = new Column(c.path("name").asText(), type, Kind.valueOf(c.path("kind").asText()), offset,
                    c.path("width").asInt(), List.copyOf(levels));
            columns.add(col);
            fields.add(new Field(col.name, type, true));
            offset += col.width;
        }
        return new Columns(new Schema(fields), columns);
    }
}
