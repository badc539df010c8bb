package org.cogwork.connector.support;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.cogwork.api.data.DataType;
import org.cogwork.api.data.Field;
import org.cogwork.api.data.ReadReport;
import org.cogwork.api.data.Row;
import org.cogwork.api.data.RowCursor;
import org.cogwork.api.data.Schema;

/**
 * JSON Lines: one JSON object per line. Columns are the keys in order of first appearance; a missing key or
 * JSON {@code null} is a missing value; nested objects and arrays are kept as their JSON text.
 *
 * <p>Written as one object per line with every column in schema order: a missing value as {@code null}, INT and
 * DOUBLE as numbers (NaN and infinities as the strings Jackson writes for them), BOOLEAN as a boolean, the rest as
 * strings in the text {@link Values#format} gives.
 */
public final class JsonLinesFormat implements TextFormat {
    public static final JsonLinesFormat INSTANCE = new JsonLinesFormat();
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private JsonLinesFormat() {
    }

    @Override
    public String name() {
        return "jsonl";
    }

    @Override
    public Schema infer(Reader in, int sampleRows, Map<String, DataType> overrides) throws IOException {
        Map<String, List<String>> samples = new LinkedHashMap<>();
        try (BufferedReader r = new BufferedReader(in)) {
            int n = 0;
            for (String line; n < sampleRows && (line = r.readLine()) != null; ) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode node;
                try {
                    node = MAPPER.readTree(line);
                } catch (JsonProcessingException e) {
                    continue;
                }
                if (!node.isObject()) {
                    continue;
                }
                n++;
                for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    samples.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(text(e.getValue()));
                }
            }
        }
        List<String> names = new ArrayList<>(samples.keySet());
        TypeInference inference = new TypeInference(names);
        for (int i = 0; i < names.size(); i++) {
            for (String v : samples.get(names.get(i))) {
                inference.accept(i, v);
            }
        }
        return inference.schema(overrides);
    }

    private static String text(JsonNode v) {
        if (v == null || v.isNull() || v.isMissingNode()) {
            return null;
        }
        return v.isValueNode() ? v.asText() : v.toString();
    }

    @Override
    public RowCursor open(Reader in, Schema schema, OnError policy) {
        BufferedReader reader = new BufferedReader(in);
        Reporter reporter = new Reporter(policy);
        return new RowCursor() {
            private long line;
            private Row next;

            @Override
            public boolean hasNext() {
                try {
                    while (next == null) {
                        String text = reader.readLine();
                        if (text == null) {
                            return false;
                        }
                        line++;
                        if (!text.isBlank()) {
                            next = toRow(text);
                        }
                    }
                    return true;
                } catch (IOException e) {
                    throw new UncheckedIOException("reading line " + (line + 1), e);
                }
            }

            private Row toRow(String text) {
                JsonNode node;
                try {
                    node = MAPPER.readTree(text);
                } catch (JsonProcessingException e) {
                    reporter.badRow(line, "not valid JSON: " + e.getOriginalMessage());
                    return null;
                }
                if (!node.isObject()) {
                    reporter.badRow(line, "expected a JSON object, found " + node.getNodeType());
                    return null;
                }
                Object[] values = new Object[schema.size()];
                for (int i = 0; i < values.length; i++) {
                    Field f = schema.fields().get(i);
                    JsonNode v = node.get(f.name());
                    if (v == null || v.isNull()) {
                        continue;
                    }
                    try {
                        values[i] = value(v, f.type());
                    } catch (IllegalArgumentException e) {
                        if (!reporter.badCell(line, f.name(), e.getMessage())) {
                            return null;
                        }
                    }
                }
                reporter.rowRead();
                return new Row(schema, values);
            }

            @Override
            public Row next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                Row r = next;
                next = null;
                return r;
            }

            @Override
            public ReadReport report() {
                return reporter.report();
            }

            @Override
            public void close() {
                try {
                    reader.close();
                } catch (IOException e) {
                    // read-only: nothing is lost
                }
            }
        };
    }

    @Override
    public RowWriter writer(Writer out, Schema schema) throws IOException {
        JsonGenerator g = MAPPER.getFactory().createGenerator(out);
        g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
        g.setRootValueSeparator(null); // lines are ended by the '\n' below, not started with Jackson's default space
        List<Field> fields = schema.fields();
        return new RowWriter() {
            @Override
            public void write(Row row) throws IOException {
                g.writeStartObject();
                for (int i = 0; i < fields.size(); i++) {
                    Field f = fields.get(i);
                    Object v = row.get(i);
                    g.writeFieldName(f.name());
                    if (v == null) {
                        g.writeNull();
                    } else if (f.type() == DataType.INT && v instanceof Long l) {
                        g.writeNumber(l);
                    } else if (f.type() == DataType.DOUBLE && v instanceof Double d) {
                        g.writeNumber(d);
                    } else if (f.type() == DataType.BOOLEAN && v instanceof Boolean b) {
                        g.writeBoolean(b);
                    } else {
                        g.writeString(Values.format(v, f.type()));
                    }
                }
                g.writeEndObject();
                g.writeRaw('\n');
            }

            @Override
            public void flush() throws IOException {
                g.flush();
            }
        };
    }

    private static Object value(JsonNode v, DataType type) {
        if (v.isNumber() && type == DataType.INT) {
            if (!v.isIntegralNumber()) {
                throw new IllegalArgumentException("'" + v.asText() + "' is not an integer");
            }
            return v.longValue();
        }
        if (v.isNumber() && type == DataType.DOUBLE) {
            return v.doubleValue();
        }
        if (v.isBoolean() && type == DataType.BOOLEAN) {
            return v.booleanValue();
        }
        return Values.parse(text(v), type);
    }
}
