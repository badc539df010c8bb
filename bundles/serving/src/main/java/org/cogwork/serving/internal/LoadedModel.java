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

    /**
     * Predicts one output per row.
     *
     * @param rows column name → value (JSON types: strings, numbers, booleans; dates as ISO strings)
     * @throws InvalidFieldException naming the row and field, e.g. {@code rows[3].Age: missing feature}
     */
    public List<Prediction> predict(List<Map<String, Object>> rows) {
        List<Row> input = new ArrayList<>(rows.size());
        for (int i = 0; i < rows.size(); i++) {
            Map<String, Object> r = rows.get(i);
            for (String k : r.keySet()) {
                if (features.indexOf(k) < 0) {
                    throw invalid("rows[" + i + "]." + k, "unknown feature; the model takes "
                            + features.fields().stream().map(Field::name).toList());
                }
            }
            Object[] v = new Object[features.size()];
            for (int c = 0; c < v.length; c++) {
                String name = features.fields().get(c).name();
                if (!r.containsKey(name)) {
                    throw invalid("rows[" + i + "]." + name, "missing feature");
                }
                v[c] = r.get(name);
            }
            input.add(new Row(features, v));
        }
        List<Row> transformed;
        try {
            transformed = pipeline.apply(Dataset.of(features, input)).toList();
        } catch (IllegalArgumentException e) {
            throw locate(input, e);
        }
        Schema out = pipeline.outputSchema();
        int t = target == null ? -1 : out.indexOf(target);
        List<Row> modelRows = transformed;
        if (t >= 0) {
            List<Field> fs = new ArrayList<>(out.fields());
            fs.remove(t);
            Schema s = new Schema(fs);
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

    @Override
    public void close() {
        model.close();
    }
}
