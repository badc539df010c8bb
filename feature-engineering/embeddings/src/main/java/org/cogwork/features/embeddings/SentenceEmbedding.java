package org.cogwork.features.embeddings;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.cogwork.api.data.DataType;
import org.cogwork.api.data.Dataset;
import org.cogwork.api.data.Field;
import org.cogwork.api.data.Row;
import org.cogwork.api.data.Schema;
import org.cogwork.api.data.Vector;
import org.cogwork.api.feature.FeatureTransform;
import org.cogwork.api.feature.FittedTransform;
import org.cogwork.api.problem.InvalidFieldException;
import org.cogwork.onnx.host.OnnxHost;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;

/**
 * {@code sentence-embedding}: each TEXT column in {@code columns} becomes a dense VECTOR column of the same name, the
 * 384-dimensional all-MiniLM-L6-v2 embedding of its text (the first {@code maxTokens} tokens, default 256, [CLS] and
 * [SEP] included; mean pooling, unit length). A missing text becomes the zero vector. Nothing is fitted: the saved
 * state names the model (name, langchain4j artifact version, SHA-256 of the .onnx file) and loading refuses a state
 * saved with another model, whose vectors would mean something else. Runs offline, on the caller's thread (one
 * intra-op thread), in ONNX Runtime from {@code org.cogwork.onnx.native}.
 */
@Component(service = FeatureTransform.class, property = FeatureTransform.TRANSFORM_NAME + "=" + SentenceEmbedding.NAME)
public class SentenceEmbedding implements FeatureTransform {
    static final String NAME = "sentence-embedding";
    static final int DEFAULT_MAX_TOKENS = 256;
    static final int MIN_TOKENS = 8;
    /** The model's position embeddings: 512. */
    static final int MAX_TOKENS = 512;
    private static final Set<String> PARAMS = Set.of("columns", "maxTokens", "target");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static MiniLm model;

    @Override
    public String name() {
        return NAME;
    }

    /** The model, loaded on first use (the session is created once per bundle; a few hundred milliseconds). */
    static synchronized MiniLm model() {
        if (model == null) {
            try (OrtSession.SessionOptions options = OnnxHost.sessionOptions(1)) {
                model = new MiniLm(OnnxHost.environment(), options);
            } catch (IOException e) {
                throw new UncheckedIOException(NAME + ": cannot read the model: " + e.getMessage(), e);
            } catch (OrtException e) {
                throw new IllegalStateException(NAME + ": ONNX Runtime cannot load the model: " + e.getMessage(), e);
            }
        }
        return model;
    }

    /** Closes the session when the component stops (the bundle is updated or removed). */
    @Deactivate
    void deactivate() {
        closeModel();
    }

    /** Closes the session; a transform still used afterwards opens it again. */
    static synchronized void closeModel() {
        if (model != null) {
            model.close();
            model = null;
        }
    }

    @Override
    public void validate(Map<String, Object> params) {
        for (String k : params.keySet()) {
            if (!PARAMS.contains(k)) {
                throw new InvalidFieldException(k, NAME + ": unknown parameter '" + k + "'; use [columns, maxTokens]");
            }
        }
        Object columns = params.get("columns");
        if (columns == null) {
            throw new InvalidFieldException("columns", NAME + ".columns: is required: an array of TEXT column names");
        }
        if (!(columns instanceof List<?> l) || l.isEmpty() || !l.stream().allMatch(c -> c instanceof String s && !s.isBlank())) {
            throw new InvalidFieldException("columns", NAME + ".columns: must be a non-empty array of TEXT column names, was " + columns);
        }
        Object max = params.get("maxTokens");
        if (max != null && !(isWhole(max) && ((Number) max).longValue() >= MIN_TOKENS && ((Number) max).longValue() <= MAX_TOKENS)) {
            throw new InvalidFieldException("maxTokens", NAME + ".maxTokens: must be a whole number from " + MIN_TOKENS + " to "
                    + MAX_TOKENS + ", was " + (max instanceof String ? "'" + max + "'" : max));
        }
        Object target = params.get("target");
        if (target != null && !(target instanceof String)) {
            throw new InvalidFieldException("target", NAME + ".target: must be a column name");
        }
    }

    private static boolean isWhole(Object v) {
        return v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte;
    }

    @Override
    public FittedTransform fit(Dataset training, Map<String, Object> params) {
        try {
            validate(params);
        } catch (InvalidFieldException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        Schema schema = training.schema();
        List<String> cols = new ArrayList<>();
        for (Object c : (List<?>) params.get("columns")) {
            Field f = schema.field((String) c).orElseThrow(() -> new IllegalArgumentException(
                    NAME + ".columns: unknown column '" + c + "'"));
            if (f.type() != DataType.TEXT && f.type() != DataType.STRING) {
                throw new IllegalArgumentException(NAME + ".columns: column '" + c + "' is " + f.type() + ", not TEXT");
            }
            if (f.name().equals(params.get("target"))) {
                throw new IllegalArgumentException(NAME + ".columns: '" + c + "' is the target");
            }
            if (!cols.contains(f.name())) {
                cols.add(f.name());
            }
        }
        int maxTokens = params.get("maxTokens") == null ? DEFAULT_MAX_TOKENS : ((Number) params.get("maxTokens")).intValue();
        return new Embedded(schema, cols, maxTokens, MiniLm.Identity.packaged());
    }

    @Override
    public FittedTransform load(InputStream in) throws IOException {
        JsonNode root;
        try {
            root = JSON.readTree(in);
        } catch (IOException e) {
            throw new IOException("not a saved " + NAME + " transform: " + e.getMessage(), e);
        }
        if (root == null || !NAME.equals(root.path("transform").asText()) || !root.path("input").isArray()
                || !root.path("columns").isArray() || !root.path("model").isObject()) {
            throw new IOException("not a saved " + NAME + " transform");
        }
        JsonNode m = root.path("model");
        MiniLm.Identity saved = new MiniLm.Identity(m.path("name").asText(), m.path("version").asText(), m.path("sha256").asText());
        MiniLm.Identity here = MiniLm.Identity.packaged();
        if (!saved.name().equals(here.name()) || !saved.sha256().equals(here.sha256())) {
            throw new IOException(NAME + ": the transform was saved with the model " + saved.name() + " " + saved.version()
                    + " (sha256 " + saved.sha256() + "), this bundle carries " + here.name() + " " + here.version() + " (sha256 "
                    + here.sha256() + "): its vectors would differ; refit the pipeline with this bundle's model");
        }
        List<Field> fields = new ArrayList<>();
        for (JsonNode f : root.path("input")) {
            fields.add(new Field(f.path("name").asText(), DataType.valueOf(f.path("type").asText()), f.path("nullable").asBoolean()));
        }
        List<String> cols = new ArrayList<>();
        root.path("columns").forEach(c -> cols.add(c.asText()));
        Schema input = new Schema(fields);
        for (String c : cols) {
            if (input.indexOf(c) < 0) {
                throw new IOException(NAME + ": saved column '" + c + "' is not in the saved input schema");
            }
        }
        int maxTokens = root.path("maxTokens").asInt(DEFAULT_MAX_TOKENS);
        if (maxTokens < MIN_TOKENS || maxTokens > MAX_TOKENS) {
            throw new IOException(NAME + ": saved maxTokens " + maxTokens + " out of range");
        }
        return new Embedded(input, cols, maxTokens, here);
    }

    /** The "fitted" transform: which columns, how many tokens, which model. */
    static final class Embedded implements FittedTransform {
        private final Schema input;
        private final List<String> cols;
        private final int maxTokens;
        private final MiniLm.Identity identity;
        private final int[] positions;
        private final Schema output;

        Embedded(Schema input, List<String> cols, int maxTokens, MiniLm.Identity identity) {
            this.input = input;
            this.cols = List.copyOf(cols);
            this.maxTokens = maxTokens;
            this.identity = identity;
            this.positions = cols.stream().mapToInt(input::indexOf).toArray();
            List<Field> out = new ArrayList<>(input.fields());
            for (int p : positions) {
                out.set(p, new Field(out.get(p).name(), DataType.VECTOR, false));
            }
            this.output = new Schema(out);
        }

        @Override
        public Schema outputSchema() {
            return output;
        }

        @Override
        public Row apply(Row row) {
            Object[] v = row.values();
            for (int p : positions) {
                Object text = v[p];
                v[p] = text == null ? Vector.dense(new double[MiniLm.DIMENSION]) : vector(text.toString());
            }
            return new Row(output, v);
        }

        private Vector vector(String text) {
            float[] e = model().embed(text, maxTokens);
            double[] d = new double[e.length];
            for (int i = 0; i < e.length; i++) {
                d[i] = e[i];
            }
            return Vector.dense(d);
        }

        @Override
        public void save(OutputStream out) throws IOException {
            ObjectNode root = JSON.createObjectNode();
            root.put("transform", NAME);
            var in = root.putArray("input");
            for (Field f : input.fields()) {
                in.addObject().put("name", f.name()).put("type", f.type().name()).put("nullable", f.nullable());
            }
            var c = root.putArray("columns");
            cols.forEach(c::add);
            root.put("maxTokens", maxTokens);
            root.putObject("model").put("name", identity.name()).put("version", identity.version())
                    .put("sha256", identity.sha256()).put("dimension", MiniLm.DIMENSION);
            out.write(JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root));
            out.flush();
        }

        @Override
        public String toString() {
            return NAME + cols + " maxTokens " + maxTokens + " " + identity;
        }
    }
}
