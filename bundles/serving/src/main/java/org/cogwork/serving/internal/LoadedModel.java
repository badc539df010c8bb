package org.cogwork.serving.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.cogwork.api.data.Dataset;
import org.cogwork.api.data.Field;
import org.cogwork.api.data.Row;
import org.cogwork.api.data.Schema;
import org.cogwork.api.engine.Engine;
import org.cogwork.api.engine.EngineException;
import org.cogwork.api.engine.Model;
import org.cogwork.api.engine.Prediction;
import org.cogwork.api.feature.FeaturePipelineService;
import org.cogwork.api.feature.FittedPipeline;
import org.cogwork.api.problem.InvalidFieldException;
import org.cogwork.api.model.ModelPackage;

/**
 * A trained model ready to predict: the engine's model and the fitted feature pipeline from one
 * {@code model.zip}, applied exactly as in training. Validates caller rows against the features the model was
 * trained on, naming the row and field at fault. Thread-safe; close it to release the engine's resources.
 */
public final class LoadedModel implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ModelPackage.Manifest manifest;
    private final FittedPipeline pipeline;
    private final Model model;
    private final String target;
    private final Schema features;
    private final List<String> featureNames;
    /** Where the pipeline's output has the target column (-1: none), and that output without it: what the model takes. */
    private final int targetOut;
    private final Schema modelInput;
    /** The cache's hold plus one per running request; the model is closed when it drops to zero. */
    private final java.util.concurrent.atomic.AtomicInteger holds = new java.util.concurrent.atomic.AtomicInteger(1);
    private final java.util.concurrent.atomic.AtomicBoolean retired = new java.util.concurrent.atomic.AtomicBoolean();

    private LoadedModel(ModelPackage.Manifest manifest, FittedPipeline pipeline, Model model) {
        this.manifest = manifest;
        this.pipeline = pipeline;
        this.model = model;
        this.target = manifest.target();
        List<Field> f = new ArrayList<>();
        for (Field field : pipeline.inputSchema().fields()) {
            if (!field.name().equals(target)) {
                f.add(field);
            }
        }
        this.features = new Schema(f);
        this.featureNames = f.stream().map(Field::name).toList();
        Schema out = pipeline.outputSchema();
        this.targetOut = target == null ? -1 : out.indexOf(target);
        List<Field> in = new ArrayList<>(out.fields());
        if (targetOut >= 0) {
            in.remove(targetOut);
        }
        this.modelInput = new Schema(in);
    }

    /**
     * Reads a {@code model.zip} written by a training job.
     *
     * @param engines engine by name (from the service registry)
     * @throws IOException when the archive is not a Cogwork model or its engine is not installed
     */
    public static LoadedModel load(InputStream zip, Function<String, Engine> engines, FeaturePipelineService pipelines)
            throws IOException {
        ModelPackage p = ModelPackage.read(zip);
        Engine engine = engines.apply(p.manifest().engine());
        if (engine == null) {
            throw new IOException("the model needs engine '" + p.manifest().engine() + "', which is not installed");
        }
        FittedPipeline pipeline = p.loadPipeline(pipelines);
        return new LoadedModel(p.manifest(), pipeline, p.loadModel(engine));
    }

    /** The columns a caller sends, with their types. */
    public Schema features() {
        return features;
    }

    public String target() {
        return target;
    }

    public ModelPackage.Manifest manifest() {
        return manifest;
    }

    /** Predicts one output per row, strict about columns. */
    public List<Prediction> predict(List<Map<String, Object>> rows) {
        return predictRows(rows(rows, false));
    }

    /**
     * The caller's rows as the model's input rows, checked against the features the model was trained on.
     *
     * @param rows column name → value (JSON types: strings, numbers, booleans; dates as ISO strings)
     * @param ignoreUnknown whether columns the model does not take are ignored (else they are refused, named)
     * @throws InvalidFieldException naming the row and field, e.g. {@code rows[3].Age: missing feature}; a row
     *         missing several features names them all
     */
    public List<Row> rows(List<Map<String, Object>> rows, boolean ignoreUnknown) {
        List<Row> input = new ArrayList<>(rows.size());
        int n = features.size();
        for (int i = 0; i < rows.size(); i++) {
            Map<String, Object> r = rows.get(i);
            Object[] v = new Object[n];
            List<String> missing = null;
            for (int c = 0; c < n; c++) {
                String name = featureNames.get(c);
                Object value = r.get(name);
                if (value == null && !r.containsKey(name)) {
                    (missing == null ? missing = new ArrayList<>() : missing).add(name);
                }
                v[c] = value;
            }
            if (!ignoreUnknown && r.size() != n - (missing == null ? 0 : missing.size())) {
                for (String k : r.keySet()) {
                    if (features.indexOf(k) < 0) {
                        throw invalid("rows[" + i + "]." + k, "unknown feature; the model takes " + featureNames);
                    }
                }
            }
            if (missing != null) {
                throw missing.size() == 1 ? invalid("rows[" + i + "]." + missing.get(0), "missing feature")
                        : invalid("rows[" + i + "]", "missing features " + String.join(", ", missing));
            }
            input.add(new Row(features, v));
        }
        return input;
    }

    /** Predicts one output per checked row (from {@link #rows}); several callers' rows may be batched into one call. */
    public List<Prediction> predictRows(List<Row> input) {
        List<Row> transformed;
        try {
            transformed = pipeline.apply(Dataset.of(features, input)).toList();
        } catch (IllegalArgumentException e) {
            throw locate(input, e);
        }
        int t = targetOut;
        List<Row> modelRows = transformed;
        if (t >= 0) {
            Schema s = modelInput;
            modelRows = new ArrayList<>(transformed.size());
            for (Row r : transformed) {
                Object[] v = r.values();
                Object[] w = new Object[v.length - 1];
                for (int a = 0, b = 0; a < v.length; a++) {
                    if (a != t) {
                        w[b++] = v[a];
                    }
                }
                modelRows.add(new Row(s, w));
            }
        }
        return model.predict(modelRows);
    }

    /** Finds the first row the pipeline rejects, to name it in the error. */
    private RuntimeException locate(List<Row> input, IllegalArgumentException e) {
        for (int i = 0; i < input.size(); i++) {
            try {
                pipeline.apply(Dataset.of(features, List.of(input.get(i)))).toList();
            } catch (IllegalArgumentException rowError) {
                return invalid("rows[" + i + "]", rowError.getMessage());
            }
        }
        return e;
    }

    /** A 400 naming {@code field}, whose message starts with it too ({@code rows[3].Age: missing feature}). */
    private static InvalidFieldException invalid(String field, String message) {
        return new InvalidFieldException(field, field + ": " + message);
    }

    /**
     * Holds the model for one request; false once it was retired and every earlier request finished (then it is
     * closed: load it again). Every successful acquire is paired with one {@link #release()}.
     */
    public boolean acquire() {
        for (int h = holds.get(); h > 0; h = holds.get()) {
            if (holds.compareAndSet(h, h + 1)) {
                return true;
            }
        }
        return false;
    }

    /** Ends a request's hold; the last hold of a retired model closes it. */
    public void release() {
        if (holds.decrementAndGet() == 0) {
            model.close();
        }
    }

    /** Takes the model out of service: it is closed as soon as the requests running on it have finished. */
    public void retire() {
        if (retired.compareAndSet(false, true)) {
            release();
        }
    }

    /** Retires the model (see {@link #retire()}). */
    @Override
    public void close() {
        retire();
    }
}
