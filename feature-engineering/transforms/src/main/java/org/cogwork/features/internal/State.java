package org.cogwork.features.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import org.cogwork.api.data.DataType;
import org.cogwork.api.data.Field;
import org.cogwork.api.data.Row;
import org.cogwork.api.data.Schema;

/** JSON form of fitted state: each fitted transform saves {"transform", "input", "state"}. */
final class State {
    static final ObjectMapper JSON = new ObjectMapper();

    private State() {
    }

    static ArrayNode schema(Schema s) {
        ArrayNode a = JSON.createArrayNode();
        for (Field f : s.fields()) {
            a.addObject().put("name", f.name()).put("type", f.type().name());
        }
        return a;
    }

    static Schema schema(JsonNode a) {
        List<Field> fields = new ArrayList<>();
        for (JsonNode f : a) {
            fields.add(Field.of(f.path("name").asText(), DataType.valueOf(f.path("type").asText())));
        }
        return new Schema(fields);
    }

    static void write(OutputStream out, String transform, Schema input, ObjectNode state) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.put("transform", transform);
        root.set("input", schema(input));
        root.set("state", state);
        JSON.writeValue(new NonClosing(out), root);
    }

    static JsonNode read(InputStream in, String transform) throws IOException {
        JsonNode root = JSON.readTree(new NonClosingIn(in));
        if (root == null || !transform.equals(root.path("transform").asText())) {
            throw new IOException("not a fitted '" + transform + "' transform");
        }
        return root;
    }

    /** The value of a numeric-like cell as a double, NaN when missing. */
    static double number(Row row, int i) {
        Object v = row.get(i);
        if (v == null) {
            return Double.NaN;
        }
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        if (v instanceof Boolean b) {
            return b ? 1 : 0;
        }
        throw new IllegalArgumentException("column '" + row.schema().fields().get(i).name() + "' is not numeric: " + v);
    }

    private static final class NonClosing extends java.io.FilterOutputStream {
        NonClosing(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }

    private static final class NonClosingIn extends java.io.FilterInputStream {
        NonClosingIn(InputStream in) {
            super(in);
        }

        @Override
        public void close() {
        }
    }
}
