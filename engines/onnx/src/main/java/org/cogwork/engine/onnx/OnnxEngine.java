package org.cogwork.engine.onnx;

import ai.onnxruntime.OnnxModelMetadata;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.cogwork.api.data.DataType;
import org.cogwork.api.data.Field;
import org.cogwork.api.data.Row;
import org.cogwork.api.data.RowCursor;
import org.cogwork.api.data.Schema;
import org.cogwork.api.data.Vector;
import org.cogwork.api.engine.Engine;
import org.cogwork.api.engine.EngineException;
import org.cogwork.api.engine.EngineInfo;
import org.cogwork.api.engine.Model;
import org.cogwork.api.engine.ModelDescriptor;
import org.cogwork.api.engine.Task;
import org.cogwork.api.engine.TrainingContext;
import org.cogwork.api.engine.TrainingRequest;
import org.cogwork.api.problem.InvalidFieldException;
import org.cogwork.api.security.DataRoots;
import org.cogwork.onnx.host.OnnxHost;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Models trained elsewhere, imported from ONNX files and run with ONNX Runtime on CPU. "Training" reads the file
 * (inside the data roots), binds the dataset's feature columns to the model's declared inputs, chooses its outputs,
 * runs it on a few training rows so that a mismatch fails now, naming it, and returns the model; the platform then
 * evaluates it on the test part and registers it like any trained model. The saved model holds the file's bytes.
 *
 * <p>ONNX Runtime lives in the native host bundle ({@code org.cogwork.onnx.native}), which loads its native library
 * once per JVM; this adapter holds sessions only (closed with their models), so it can be updated or removed while
 * Cogwork runs.
 */
@Component(service = Engine.class, property = Engine.ENGINE_NAME + "=" + OnnxEngine.NAME)
public class OnnxEngine implements Engine {
    static final String NAME = "onnx";
    /** The largest ONNX file taken: its bytes are held in memory and kept in the saved model. */
    static final long MAX_MODEL_BYTES = 1L << 30;
    /** Training rows the imported model is tried on before it is returned. */
    private static final int TRIAL_ROWS = 16;
    /** Whether this adapter has asked the native host for ONNX Runtime yet. */
    private static volatile boolean runtimeRequested;
    private final EngineInfo info;
    /** Where ONNX files may be read from. */
    private final DataRoots roots;

    @Activate
    public OnnxEngine(BundleContext ctx, @Reference DataRoots roots) {
        this(ctx.getBundle().getVersion().toString(), roots);
    }

    /** For use outside OSGi (tests, tools, benchmarks): ONNX files under the working directory only. */
    public OnnxEngine(String version) {
        this(version, DataRoots.of(List.of(Path.of(""))));
    }

    public OnnxEngine(String version, DataRoots roots) {
        this.info = new EngineInfo(NAME, version, Arrays.stream(Algorithm.values()).map(Algorithm::info).toList());
        this.roots = roots;
    }

    @Override
    public EngineInfo info() {
        return info;
    }

    /** The declared checks (names, types, bounds, the required path), then the file: inside the data roots, a regular file, not too big. */
    @Override
    public void checkHyperparameters(String algorithm, Task task, Map<String, Object> hyperparameters) {
        Engine.super.checkHyperparameters(algorithm, task, hyperparameters);
        checkModelFile(Algorithm.find(algorithm, task).orElseThrow(), (String) hyperparameters.get("path"), roots);
    }

    @Override
    public Model train(TrainingRequest request, TrainingContext context) throws EngineException {
        info.algorithm(request.algorithm(), request.task()); // an IllegalArgumentException naming the task and the choices
        Algorithm algorithm = Algorithm.find(request.algorithm(), request.task()).orElseThrow();
        Map<String, Object> params = info.resolve(algorithm.algorithmName, algorithm.task, request.hyperparameters());
        Field target = request.targetField();
        Schema schema = request.data().schema();
        Schema features = new Schema(schema.fields().stream().filter(f -> !f.name().equals(target.name())).toList());
        checkCancelled(context);
        byte[] onnx;
        try {
            onnx = readModel(algorithm, (String) params.get("path"), roots);
        } catch (IOException e) {
            throw error(algorithm, "path", "cannot be read: " + e.getMessage());
        }
        int threads = ((Number) params.get("threads")).intValue();
        OrtEnvironment env = environment();
        OrtSession session = session(env, onnx, threads, algorithm);
        try {
            context.progress(1, 3, Map.of());
            checkCancelled(context);
            Trial trial = trialRows(request, target, context);
            Inputs inputs = Inputs.bind(session.getInputInfo(), features, trial.vectorWidths);
            Outputs outputs = Outputs.of(request.task(), session.getOutputInfo());
            context.progress(2, 3, Map.of("rows", (double) trial.rowCount));
            checkCancelled(context);
            Outputs.Raw raw;
            try {
                raw = OnnxModel.run(session, env, inputs, outputs, trial.rows);
            } catch (IllegalStateException e) {
                throw new IllegalArgumentException("the ONNX model does not run on these features (" + inputs.describe()
                        + "): " + e.getMessage(), e);
            }
            List<String> labels = List.of();
            boolean softmax = false;
            if (request.task() == Task.CLASSIFICATION) {
                labels = labels(algorithm, params, outputs, raw, target, trial.labels);
                softmax = outputs.kind == Outputs.Scores.TENSOR && "logits".equals(params.get("outputs"));
            }
            Map<String, Object> provenance = provenance(session, onnx, params, inputs, outputs);
            ModelDescriptor descriptor = new ModelDescriptor(NAME, info.version(), algorithm.algorithmName, request.task(),
                    inputs.schema(), target.name(), labels, provenance);
            ObjectNode header = ModelFile.JSON.createObjectNode();
            header.put("engineVersion", descriptor.engineVersion()).put("algorithm", descriptor.algorithm())
                    .put("task", descriptor.task().name()).put("target", descriptor.target()).put("softmax", softmax)
                    .put("threads", threads);
            labels.forEach(header.putArray("labels")::add);
            header.set("columns", inputs.toJson());
            header.set("provenance", ModelFile.JSON.valueToTree(provenance));
            OnnxModel model = new OnnxModel(descriptor, env, session, inputs, outputs, softmax, header, onnx);
            context.progress(3, 3, Map.of());
            return model;
        } catch (EngineException | RuntimeException e) {
            closeQuietly(session);
            throw e;
        } catch (OrtException e) {
            closeQuietly(session);
            throw new EngineException("ONNX Runtime could not read the model's inputs and outputs: " + e.getMessage(), e);
        }
    }

    @Override
    public Model load(InputStream in) throws EngineException {
        ModelFile.Saved saved = ModelFile.read(in);
        ObjectNode h = saved.header();
        OrtEnvironment env;
        try {
            env = environment();
        } catch (IllegalStateException e) {
            throw new EngineException("ONNX Runtime cannot load: " + e.getMessage(), e);
        }
        OrtSession session;
        try {
            OrtSession.SessionOptions options = OnnxHost.sessionOptions(Math.max(1, h.path("threads").asInt(1)));
            try (options) {
                session = env.createSession(saved.onnx(), options);
            }
        } catch (OrtException e) {
            throw new EngineException("corrupt ONNX model: ONNX Runtime cannot load its bytes: " + e.getMessage(), e);
        }
        try {
            Task task = Task.valueOf(h.path("task").asText());
            Map<String, Integer> widths = new HashMap<>();
            Schema schema = Inputs.schemaFromJson(h.path("columns"), widths);
            Inputs inputs = Inputs.bind(session.getInputInfo(), schema, widths);
            Outputs outputs = Outputs.of(task, session.getOutputInfo());
            List<String> labels = new ArrayList<>();
            h.path("labels").forEach(l -> labels.add(l.asText()));
            @SuppressWarnings("unchecked")
            Map<String, Object> provenance = ModelFile.JSON.convertValue(h.path("provenance"), Map.class);
            ModelDescriptor descriptor = new ModelDescriptor(NAME, h.path("engineVersion").asText(info.version()),
                    h.path("algorithm").asText(), task, inputs.schema(), h.path("target").asText(null), labels, provenance);
            return new OnnxModel(descriptor, env, session, inputs, outputs, h.path("softmax").asBoolean(false), h, saved.onnx());
        } catch (OrtException | RuntimeException e) {
            closeQuietly(session);
            throw new EngineException("corrupt ONNX model: " + e.getMessage(), e);
        }
    }

    private static OrtEnvironment environment() {
        runtimeRequested = true;
        return OnnxHost.environment();
    }

    static boolean runtimeRequested() {
        return runtimeRequested;
    }

    private static OrtSession session(OrtEnvironment env, byte[] onnx, int threads, Algorithm algorithm) throws EngineException {
        try (OrtSession.SessionOptions options = OnnxHost.sessionOptions(threads)) {
            return env.createSession(onnx, options);
        } catch (OrtException e) {
            throw error(algorithm, "path", "is not an ONNX model ONNX Runtime " + OnnxHost.version() + " can load: "
                    + e.getMessage());
        }
    }

    /** Up to {@link #TRIAL_ROWS} rows to try the model on, the target's values, and each VECTOR column's dimension. */
    private record Trial(List<Row> rows, Set<String> labels, Map<String, Integer> vectorWidths, long rowCount) {
    }

    private static Trial trialRows(TrainingRequest request, Field target, TrainingContext context) throws EngineException {
        Schema schema = request.data().schema();
        int t = schema.indexOf(target.name());
        List<Row> rows = new ArrayList<>();
        Set<String> labels = new TreeSet<>();
        Map<String, Integer> widths = new HashMap<>();
        long count = 0;
        try (RowCursor cursor = request.data().open()) {
            while (cursor.hasNext()) {
                Row row = cursor.next();
                if ((count++ & 1023) == 0) {
                    checkCancelled(context);
                }
                if (rows.size() < TRIAL_ROWS) {
                    rows.add(row);
                }
                for (Field f : schema.fields()) {
                    if (f.type() == DataType.VECTOR && !widths.containsKey(f.name()) && row.get(f.name()) instanceof Vector v) {
                        widths.put(f.name(), v.dimension());
                    }
                }
                Object y = row.get(t);
                if (request.task() == Task.CLASSIFICATION && y != null) {
                    labels.add(String.valueOf(y));
                } else if (request.task() == Task.REGRESSION && rows.size() >= TRIAL_ROWS && widths.size() == vectors(schema)) {
                    break; // a regressor needs no more than the trial rows
                }
            }
        }
        if (rows.isEmpty()) {
            throw new IllegalArgumentException("no training rows to try the ONNX model on");
        }
        return new Trial(rows, labels, widths, count);
    }

    private static long vectors(Schema schema) {
        return schema.fields().stream().filter(f -> f.type() == DataType.VECTOR).count();
    }

    /**
     * The class labels in the order of the model's scores: named by a ZipMap output, given as {@code labels}, or the
     * sorted training labels; checked against the model's own label output on the trial rows.
     */
    private static List<String> labels(Algorithm algorithm, Map<String, Object> params, Outputs outputs, Outputs.Raw raw,
                                       Field target, Set<String> trainingLabels) {
        String given = (String) params.get("labels");
        List<String> declared = given == null ? null : Arrays.stream(given.split(",")).map(String::trim).toList();
        List<String> labels;
        if (outputs.kind == Outputs.Scores.MAP) {
            Set<String> classes = raw.mapScores().get(0).keySet();
            if (declared != null && !Set.copyOf(declared).equals(Set.copyOf(classes))) {
                throw error(algorithm, "labels", "names " + declared + ", the model's output '" + outputs.scores
                        + "' names the classes " + sorted(classes));
            }
            labels = declared != null ? declared : sorted(classes);
        } else if (outputs.kind == Outputs.Scores.TENSOR) {
            int k = raw.tensorScores().get(0).length;
            labels = declared != null ? declared : sorted(trainingLabels);
            if (labels.size() != k) {
                if (declared != null) {
                    throw error(algorithm, "labels", "names " + declared.size() + " labels, the model's output '"
                            + outputs.scores + "' gives " + k + " scores per row");
                }
                throw new IllegalArgumentException("the ONNX model's output '" + outputs.scores + "' gives " + k + " scores per "
                        + "row and target '" + target.name() + "' has " + labels.size() + " classes " + labels + ": give the "
                        + k + " labels in the order of the model's scores as hyperparameters.labels");
            }
            if (raw.labels() != null) {
                for (int r = 0; r < raw.labels().size(); r++) {
                    double[] s = raw.tensorScores().get(r);
                    int best = 0;
                    for (int i = 1; i < s.length; i++) {
                        if (s[i] > s[best]) {
                            best = i;
                        }
                    }
                    if (!labels.get(best).equals(raw.labels().get(r))) {
                        throw new IllegalArgumentException("the ONNX model's label output '" + outputs.label + "' says '"
                                + raw.labels().get(r) + "' where its best score in '" + outputs.scores + "' is column " + best
                                + ", labelled '" + labels.get(best) + "' by " + labels + ": give the labels in the order of "
                                + "the model's scores as hyperparameters.labels");
                    }
                }
            }
        } else {
            Set<String> all = new LinkedHashSet<>(trainingLabels);
            all.addAll(raw.labels());
            labels = declared != null ? declared : sorted(all);
        }
        if (!trainingLabels.isEmpty() && labels.stream().noneMatch(trainingLabels::contains)) {
            throw new IllegalArgumentException("the ONNX model's classes " + labels + " include none of the values of target '"
                    + target.name() + "' " + sorted(trainingLabels));
        }
        if (labels.size() < 2) {
            throw new IllegalArgumentException("the ONNX model knows a single class " + labels + ": classification needs at least two");
        }
        return List.copyOf(labels);
    }

    /** Labels sorted as numbers when they all are (0, 1, 2, 10, as scikit-learn orders its classes), else as text. */
    static List<String> sorted(Collection<String> labels) {
        boolean numbers = labels.stream().allMatch(l -> l.matches("-?\\d+(\\.\\d+)?"));
        return labels.stream().distinct().sorted(numbers ? Comparator.comparing(java.math.BigDecimal::new)
                : Comparator.<String>naturalOrder()).toList();
    }

    private static Map<String, Object> provenance(OrtSession session, byte[] onnx, Map<String, Object> params, Inputs inputs,
                                                  Outputs outputs) throws OrtException {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("onnxruntimeVersion", OnnxHost.version());
        p.put("parameters", params);
        p.put("modelBytes", onnx.length);
        p.put("modelSha256", sha256(onnx));
        OnnxModelMetadata meta = session.getMetadata();
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("producer", (meta.getProducerName() + " " + meta.getVersion()).trim());
        model.put("graph", meta.getGraphName());
        model.put("domain", meta.getDomain());
        model.put("inputs", Outputs.describe(session.getInputInfo()));
        model.put("outputs", Outputs.describe(session.getOutputInfo()));
        p.put("model", model);
        p.put("inputs", inputs.describe());
        p.put("outputsUsed", List.copyOf(outputs.names()));
        return p;
    }

    /**
     * The same checks as the TorchScript import of the DJL engine, in the same words: inside the data roots, an existing
     * regular file of at most {@link #MAX_MODEL_BYTES}.
     *
     * @throws InvalidFieldException naming {@code hyperparameters.path}
     */
    static Path checkModelFile(Algorithm algorithm, String path, DataRoots roots) {
        Path file;
        try {
            file = roots.check("path", path);
        } catch (InvalidFieldException e) {
            throw error(algorithm, "path", "names " + path + ", outside the data roots an admin configured (data.roots in config/org.cogwork.runtime.cfg)");
        }
        if (!Files.exists(file)) {
            throw error(algorithm, "path", "names no file: " + path);
        }
        if (!Files.isRegularFile(file)) {
            throw error(algorithm, "path", "is not a regular file: " + path);
        }
        long size;
        try {
            size = Files.size(file);
        } catch (IOException e) {
            throw error(algorithm, "path", "cannot be read: " + path);
        }
        if (size > MAX_MODEL_BYTES) {
            throw error(algorithm, "path", "is " + size + " bytes; an ONNX file may have at most " + MAX_MODEL_BYTES);
        }
        return file;
    }

    /** The file's bytes, never reading more than {@link #MAX_MODEL_BYTES} (a file that grows, a FIFO). */
    static byte[] readModel(Algorithm algorithm, String path, DataRoots roots) throws IOException {
        Path file = checkModelFile(algorithm, path, roots);
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes((int) MAX_MODEL_BYTES + 1);
        } catch (NoSuchFileException e) {
            throw error(algorithm, "path", "names no file: " + path);
        }
        if (bytes.length > MAX_MODEL_BYTES) {
            throw error(algorithm, "path", "grew past " + MAX_MODEL_BYTES + " bytes while it was read: " + path);
        }
        if (bytes.length == 0) {
            throw error(algorithm, "path", "is an empty file, not an ONNX model: " + path);
        }
        return bytes;
    }

    /** A problem with a value that passed its declaration (an ONNX file that cannot be used), naming it. */
    static InvalidFieldException error(Algorithm algorithm, String name, String message) {
        return new InvalidFieldException("hyperparameters." + name,
                "hyperparameter '" + name + "' of onnx " + algorithm.algorithmName + " " + message);
    }

    private static String sha256(byte[] bytes) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void closeQuietly(OrtSession session) {
        try {
            session.close();
        } catch (OrtException | RuntimeException ignored) {
            // the failure being reported matters more than this one
        }
    }

    static void checkCancelled(TrainingContext context) throws EngineException {
        if (context.isCancelled()) {
            throw new EngineException("training was cancelled");
        }
    }
}
