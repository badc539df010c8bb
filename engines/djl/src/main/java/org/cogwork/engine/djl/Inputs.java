package org.cogwork.engine.djl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.cogwork.api.data.DataType;
import org.cogwork.api.data.Field;
import org.cogwork.api.data.Row;
import org.cogwork.api.data.Schema;
import org.cogwork.api.data.Vector;

/**
 * How rows become one float vector: numbers and booleans one slot each, a VECTOR column its dimension,
 * a categorical column one slot per level seen in training (unseen levels and missing values leave zeros).
 * With standardisation each slot is shifted and scaled by its training mean and standard deviation, so a
 * missing value lands on the mean. Immutable once built; {@link #encode} is thread-safe.
 */
final class Inputs {
    enum Kind { NUMBER, VECTOR, CATEGORY }

    record Column(String name, DataType type, Kind kind, int offset, int width, List<String> levels) {
    }

    private final Schema schema;
    private final List<Column> columns;
    private final int width;
    private final float[] mean;
    private final float[] scale;
    private volatile Binding binding;

    private Inputs(Schema schema, List<Column> columns, float[] mean, float[] scale) {
        this.schema = schema;
        this.columns = columns;
        this.width = columns.isEmpty() ? 0 : columns.get(columns.size() - 1).offset + columns.get(columns.size() - 1).width;
        this.mean = mean;
        this.scale = scale;
    }

    /**
     * Lays out the feature columns from the training rows.
     *
     * @throws IllegalArgumentException naming a column of a type the engine cannot use
     */
    static Inputs layout(Schema features, List<Row> rows, boolean standardize) {
        List<Column> columns = new ArrayList<>();
        int offset = 0;
        Schema rowSchema = rows.isEmpty() ? features : rows.get(0).schema(); // rows may carry more columns (the target)
        for (Field f : features.fields()) {
            int i = rowSchema.indexOf(f.name());
            Column c = switch (f.type()) {
                case INT, DOUBLE, BOOLEAN -> new Column(f.name(), f.type(), Kind.NUMBER, offset, 1, List.of());
                case VECTOR -> {
                    int dim = -1;
                    for (Row r : rows) {
                        if (r.get(i) instanceof Vector v) {
                            dim = v.dimension();
                            break;
                        }
                    }
                    if (dim < 1) {
                        throw new IllegalArgumentException("column '" + f.name() + "' holds no vector to learn its dimension from");
                    }
                    yield new Column(f.name(), f.type(), Kind.VECTOR, offset, dim, List.of());
                }
                case CATEGORICAL, STRING -> {
                    TreeSet<String> levels = new TreeSet<>();
                    for (Row r : rows) {
                        if (r.get(i) != null) {
                            levels.add(r.get(i).toString());
                        }
                    }
                    yield new Column(f.name(), f.type(), Kind.CATEGORY, offset, levels.size(), List.copyOf(levels));
                }
                case TEXT -> throw new IllegalArgumentException("column '" + f.name()
                        + "' is TEXT: add a text transform (tokens for text-embedding, tfidf for mlp) before the engine");
                case DATE, TIMESTAMP -> throw new IllegalArgumentException("column '" + f.name() + "' is " + f.type()
                        + ": add time features (calendar) before the engine");
            };
            columns.add(c);
            offset += c.width;
        }
        if (offset == 0) {
            throw new IllegalArgumentException("no feature columns to learn from");
        }
        Inputs raw = new Inputs(features, columns, null, null);
        if (!standardize) {
            return raw;
        }
        double[] sum = new double[offset];
        double[] sq = new double[offset];
        float[] x = new float[offset];
        for (Row r : rows) {
            raw.encode(r, x, 0);
            for (int k = 0; k < offset; k++) {
                sum[k] += x[k];
                sq[k] += (double) x[k] * x[k];
            }
        }
        float[] mean = new float[offset];
        float[] scale = new float[offset];
        int n = Math.max(1, rows.size());
        for (int k = 0; k < offset; k++) {
            double m = sum[k] / n;
            double sd = Math.sqrt(Math.max(0, sq[k] / n - m * m));
            mean[k] = (float) m;
            scale[k] = sd > 1e-12 ? (float) (1 / sd) : 1f;
        }
        return new Inputs(features, columns, mean, scale);
    }

    Schema schema() {
        return schema;
    }

    int width() {
        return width;
    }

    List<Column> columns() {
        return columns;
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
            switch (c.kind) {
                case NUMBER -> {
                    float f;
                    if (v == null) {
                        f = mean == null ? 0 : mean[c.offset];
                    } else if (v instanceof Number num) {
                        f = num.floatValue();
                        if (!Float.isFinite(f)) {
                            f = mean == null ? 0 : mean[c.offset];
                        }
                    } else if (v instanceof Boolean b && c.type == DataType.BOOLEAN) {
                        f = b ? 1 : 0;
                    } else {
                        throw wrongType(c, v);
                    }
                    dst[p] = f;
                }
                case VECTOR -> {
                    if (v == null || (v instanceof Vector vec && vec.isSparse())) {
                        java.util.Arrays.fill(dst, p, p + c.width, 0f);
                    }
                    if (v == null) {
                        if (mean != null) {
                            System.arraycopy(mean, c.offset, dst, p, c.width);
                        }
                        break;
                    }
                    if (!(v instanceof Vector vec)) {
                        throw wrongType(c, v);
                    }
                    if (vec.dimension() != c.width) {
                        throw new IllegalArgumentException("column '" + c.name + "' must be a vector of dimension " + c.width
                                + ", was " + vec.dimension());
                    }
                    if (vec.isSparse()) {
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
                    java.util.Arrays.fill(dst, p, p + c.width, 0f);
                    if (v == null) {
                        break;
                    }
                    if (!(v instanceof String s)) {
                        throw wrongType(c, v);
                    }
                    int level = java.util.Collections.binarySearch(c.levels, s);
                    if (level >= 0) {
                        dst[p + level] = 1f;
                    }
                }
            }
        }
        if (mean != null) {
            for (int k = 0; k < width; k++) {
                dst[off + k] = (dst[off + k] - mean[k]) * scale[k];
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
        if (mean != null) {
            n.set("mean", ModelFile.JSON.valueToTree(mean));
            n.set("scale", ModelFile.JSON.valueToTree(scale));
        }
        return n;
    }

    static Inputs fromJson(JsonNode n) {
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
        float[] mean = n.has("mean") ? ModelFile.JSON.convertValue(n.get("mean"), float[].class) : null;
        float[] scale = n.has("scale") ? ModelFile.JSON.convertValue(n.get("scale"), float[].class) : null;
        return new Inputs(new Schema(fields), columns, mean, scale);
    }

    /** The layout for provenance: column → slots. */
    Map<String, Object> describe() {
        Map<String, Object> d = new LinkedHashMap<>();
        columns.forEach(c -> d.put(c.name, c.kind == Kind.CATEGORY ? Map.of("levels", c.levels) : Map.of("width", c.width)));
        return d;
    }
}
