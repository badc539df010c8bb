package org.cogwork.engine.djl;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.initializer.XavierInitializer;
import ai.djl.training.loss.Loss;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.cogwork.api.data.DataType;
import org.cogwork.api.data.Field;
import org.cogwork.api.data.Row;
import org.cogwork.api.data.Schema;
import org.cogwork.api.engine.EngineException;
import org.cogwork.api.engine.Model;
import org.cogwork.api.engine.ModelDescriptor;
import org.cogwork.api.engine.Task;
import org.cogwork.api.engine.TrainingContext;
import org.cogwork.api.engine.TrainingRequest;
import org.cogwork.api.problem.InvalidFieldException;
import org.cogwork.api.security.DataRoots;
import org.cogwork.djl.host.NativeHost;

/**
 * Everything of the DJL engine that touches DJL itself: training loops, TorchScript import, loading. Kept out of
 * {@link DjlEngine} so that registering the engine service loads no DJL class: the first DJL class this bundle loads
 * makes Felix unpack the native host's 110 MB of embedded jars, which should happen on the first training, not
 * while Cogwork starts.
 */
final class Networks {
    private Networks() {
    }

    /** Trains an {@code mlp}, {@code mlp-regression} or {@code text-embedding} network on the rows with a target. */
    static Model fit(String version, TrainingRequest request, TrainingContext context, Algorithm algorithm, Params params,
                     Schema features, List<Row> rows, int t, List<String> labels) throws EngineException {
        boolean text = algorithm == Algorithm.TEXT_EMBEDDING;
        boolean classification = request.task() == Task.CLASSIFICATION;
        // defaults and bounds are the declared ones (Algorithm), checked when params was resolved
        int epochs = params.integer("epochs");
        int batchSize = params.integer("batchSize");
        double learningRate = params.decimal("learningRate");
        double weightDecay = params.decimal("weightDecay");
        double dropout = params.decimal("dropout");
        int[] hidden = params.sizes("hidden");
        int embeddingSize = text ? params.integer("embeddingSize") : 0;
        boolean standardize = !text && params.flag("standardize");

        Inputs inputs = text ? tokenLayout(features, rows) : Inputs.layout(features, rows, standardize);
        int n = rows.size();
        int width = inputs.width();
        float[] x = new float[n * width];
        float[] y = new float[n];
        for (int r = 0; r < n; r++) {
            if ((r & 1023) == 0) {
                DjlEngine.checkCancelled(context);
            }
            Row row = rows.get(r);
            inputs.encode(row, x, r * width);
            y[r] = classification ? labels.indexOf(String.valueOf(row.get(t))) : ((Number) row.get(t)).floatValue();
        }
        int vocabulary = 0;
        if (text) {
            for (float id : x) {
                if (id < 0 || id != Math.rint(id)) {
                    throw new IllegalArgumentException("column '" + inputs.columns().get(0).name()
                            + "' must hold token ids (whole numbers >= 0): add the tokens transform before text-embedding");
                }
                vocabulary = Math.max(vocabulary, (int) id + 1);
            }
            vocabulary = Math.max(vocabulary, 2);
        }
        float yMean = 0;
        float yScale = 1;
        if (!classification) {
            double sum = 0;
            double sq = 0;
            for (float v : y) {
                sum += v;
                sq += (double) v * v;
            }
            double m = sum / n;
            double sd = Math.sqrt(Math.max(0, sq / n - m * m));
            yMean = (float) m;
            yScale = sd > 1e-12 ? (float) (1 / sd) : 1f;
            for (int r = 0; r < n; r++) {
                y[r] = (y[r] - yMean) * yScale;
            }
        }
        Network network = new Network(text ? "text" : "mlp", hidden, dropout, vocabulary, embeddingSize, width,
                classification ? labels.size() : 1);

        ai.djl.engine.Engine pytorch = NativeHost.pytorch();
        pytorch.setRandomSeed((int) (request.seed() ^ (request.seed() >>> 32)));
        Block block = network.build();
        ai.djl.Model net = ai.djl.Model.newInstance("cogwork-" + algorithm.algorithmName, Device.cpu(), NativeHost.PYTORCH);
        boolean done = false;
        try {
            net.setBlock(block);
            Loss loss = classification ? Loss.softmaxCrossEntropyLoss() : Loss.l2Loss();
            AdamOptimizer optimizer = new AdamOptimizer((float) learningRate, (float) weightDecay);
            DefaultTrainingConfig config = new DefaultTrainingConfig(loss)
                    .optDevices(new Device[] {Device.cpu()})
                    .optInitializer(new XavierInitializer(), Parameter.Type.WEIGHT)
                    .optOptimizer(optimizer);
            Random shuffle = new Random(request.seed());
            int[] order = new int[n];
            Arrays.setAll(order, i -> i);
            long started = System.nanoTime();
            double lastLoss = Double.NaN;
            double lastAccuracy = Double.NaN;
            try (Trainer trainer = net.newTrainer(config)) {
                trainer.initialize(new Shape(1, width));
                float[] xb = new float[batchSize * width];
                float[] yb = new float[batchSize];
                context.progress(0, epochs, Map.of());
                for (int epoch = 1; epoch <= epochs; epoch++) {
                    shuffle(order, shuffle);
                    double lossSum = 0;
                    long correct = 0;
                    for (int from = 0; from < n; from += batchSize) {
                        DjlEngine.checkCancelled(context);
                        int b = Math.min(batchSize, n - from);
                        for (int k = 0; k < b; k++) {
                            System.arraycopy(x, order[from + k] * width, xb, k * width, width);
                            yb[k] = y[order[from + k]];
                        }
                        try (NDManager m = trainer.getManager().newSubManager()) {
                            NDArray batchX = m.create(b == batchSize ? xb : Arrays.copyOf(xb, b * width), new Shape(b, width));
                            NDArray batchY = m.create(b == batchSize ? yb : Arrays.copyOf(yb, b),
                                    classification ? new Shape(b) : new Shape(b, 1));
                            try (GradientCollector gc = trainer.newGradientCollector()) {
                                NDArray predicted = trainer.forward(new NDList(batchX)).singletonOrThrow();
                                NDArray l = loss.evaluate(new NDList(batchY), new NDList(predicted));
                                gc.backward(l);
                                lossSum += l.getFloat() * b;
                                if (classification) {
                                    correct += predicted.argMax(1).toType(ai.djl.ndarray.types.DataType.FLOAT32, false)
                                            .eq(batchY).sum().getLong();
                                }
                            }
                            trainer.step();
                        }
                    }
                    lastLoss = lossSum / n;
                    Map<String, Double> metrics = new LinkedHashMap<>();
                    metrics.put("loss", lastLoss);
                    if (classification) {
                        lastAccuracy = (double) correct / n;
                        metrics.put("trainAccuracy", lastAccuracy);
                    }
                    context.progress(epoch, epochs, metrics);
                }
            } finally {
                optimizer.release();
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            block.freezeParameters(true); // inference records no autograd graph

            Map<String, Object> provenance = new LinkedHashMap<>();
            provenance.put("djlVersion", ai.djl.engine.Engine.getDjlVersion());
            provenance.put("pytorchVersion", pytorch.getVersion());
            provenance.put("device", "cpu");
            provenance.put("parameters", params.resolved());
            provenance.put("seed", request.seed());
            provenance.put("trainedRows", n);
            provenance.put("inputWidth", width);
            provenance.put("network", block.toString());
            provenance.put("finalLoss", lastLoss);
            if (classification) {
                provenance.put("finalTrainAccuracy", lastAccuracy);
            }
            provenance.put("trainingMillis", Math.round(seconds * 1000));
            provenance.put("samplesPerSecond", Math.round(epochs * (double) n / seconds));
            ModelDescriptor descriptor = new ModelDescriptor(DjlEngine.NAME, version, algorithm.algorithmName, request.task(),
                    inputs.schema(), request.target(), labels, provenance);
            ObjectNode header = header(descriptor, inputs, yMean, yScale, true);
            header.set("network", network.toJson());
            DjlModel model = new DjlModel(descriptor, net, inputs, network, yMean, yScale, true, header, null);
            done = true;
            return model;
        } finally {
            if (!done) {
                net.close(); // frees whatever native memory the failed or cancelled run held
            }
        }
    }

    /** One VECTOR column of token ids, used as is (no standardisation). */
    private static Inputs tokenLayout(Schema features, List<Row> rows) {
        List<Field> vectors = features.fields().stream().filter(f -> f.type() == DataType.VECTOR).toList();
        if (vectors.size() != 1 || features.size() != 1) {
            throw new IllegalArgumentException("text-embedding needs exactly one feature column, a VECTOR of token ids "
                    + "(the tokens transform); got " + features.fields().stream().map(f -> f.name() + " " + f.type()).toList());
        }
        return Inputs.layout(features, rows, false);
    }

    /**
     * The script's real path when it is inside the data roots, an existing regular file of at most
     * {@link #MAX_SCRIPT_BYTES}; an error naming the hyperparameter otherwise. At submission and again when read.
     */
    static Path checkScript(Algorithm algorithm, String path, DataRoots roots) {
        Path file;
        try {
            file = roots.check("path", path);
        } catch (InvalidFieldException e) {
            throw Params.error(algorithm, "path", "names " + path + ", outside the data roots an admin configured (data.roots in config/org.cogwork.runtime.cfg)");
        }
        if (!Files.exists(file)) {
            throw Params.error(algorithm, "path", "names no file: " + path);
        }
        if (!Files.isRegularFile(file)) {
            throw Params.error(algorithm, "path", "is not a regular file: " + path);
        }
        long size;
        try {
            size = Files.size(file);
        } catch (IOException e) {
            throw Params.error(algorithm, "path", "cannot be read: " + path);
        }
        if (size > MAX_SCRIPT_BYTES) {
            throw Params.error(algorithm, "path", "is " + size + " bytes; a TorchScript file may have at most " + MAX_SCRIPT_BYTES);
        }
        return file;
    }

    /** The largest TorchScript file taken: its bytes are held in memory and kept in the saved model. */
    static final long MAX_SCRIPT_BYTES = 1L << 30;

    /**
     * The file's bytes: only a regular file of at most {@link #MAX_SCRIPT_BYTES}, and never more than that is read
     * (a device such as /dev/zero, a FIFO or a file that grows would otherwise be read until memory runs out).
     */
    static byte[] readScript(Algorithm algorithm, String path, DataRoots roots) throws IOException {
        Path file = checkScript(algorithm, path, roots);
        byte[] script;
        try (InputStream in = Files.newInputStream(file)) {
            script = in.readNBytes((int) MAX_SCRIPT_BYTES + 1);
        } catch (NoSuchFileException e) {
            throw Params.error(algorithm, "path", "names no file: " + path);
        }
        if (script.length > MAX_SCRIPT_BYTES) {
            throw Params.error(algorithm, "path", "grew beyond " + MAX_SCRIPT_BYTES + " bytes while it was read: " + path);
        }
        return script;
    }

    /** Uses a TorchScript file as the model; the rows give the input layout and are checked against the script. */
    static Model importTorchScript(String version, Algorithm algorithm, TrainingRequest request, Params params,
                                   Schema features, List<Row> rows, Field target, List<String> labels, DataRoots roots) throws Exception {
        boolean classification = request.task() == Task.CLASSIFICATION;
        String path = params.string("path"); // required: resolving params refused a spec without it
        String outputs = classification ? params.string("outputs") : "values";
        boolean standardize = params.flag("standardize");
        byte[] script = readScript(algorithm, path, roots);
        Inputs inputs = Inputs.layout(features, rows, standardize);
        Map<String, Object> provenance = new LinkedHashMap<>();
        provenance.put("djlVersion", ai.djl.engine.Engine.getDjlVersion());
        provenance.put("pytorchVersion", NativeHost.pytorch().getVersion());
        provenance.put("parameters", params.resolved());
        provenance.put("torchScriptBytes", script.length);
        provenance.put("torchScriptSha256", sha256(script));
        ModelDescriptor descriptor = new ModelDescriptor(DjlEngine.NAME, version, algorithm.algorithmName,
                request.task(), inputs.schema(), target.name(), labels, provenance);
        ObjectNode header = header(descriptor, inputs, 0, 1, outputs.equals("logits"));
        DjlModel model = torchScriptModel(descriptor, inputs, script, outputs.equals("logits"), header);
        try {
            model.predict(rows.subList(0, 1)); // fails now, naming the problem, if the script does not fit the features
        } catch (RuntimeException e) {
            model.close();
            throw new IllegalArgumentException("the TorchScript model does not accept these " + inputs.width()
                    + " input values per row or does not give " + (classification ? labels.size() + " outputs" : "1 output")
                    + ": " + e.getMessage(), e);
        }
        return model;
    }

    private static DjlModel torchScriptModel(ModelDescriptor descriptor, Inputs inputs, byte[] script, boolean softmax,
                                             ObjectNode header) throws IOException, MalformedModelException {
        Path dir = Files.createTempDirectory("cogwork-torchscript");
        try {
            Files.write(dir.resolve("model.pt"), script);
            ai.djl.Model net = ai.djl.Model.newInstance("model", Device.cpu(), NativeHost.PYTORCH);
            try {
                net.load(dir, "model");
            } catch (IOException | MalformedModelException | RuntimeException e) {
                net.close();
                throw e;
            }
            return new DjlModel(descriptor, net, inputs, null, 0, 1, softmax, header, script);
        } finally {
            Files.deleteIfExists(dir.resolve("model.pt"));
            Files.deleteIfExists(dir);
        }
    }

    private static ObjectNode header(ModelDescriptor d, Inputs inputs, float yMean, float yScale, boolean softmax) {
        ObjectNode h = ModelFile.JSON.createObjectNode();
        h.put("engineVersion", d.engineVersion()).put("algorithm", d.algorithm()).put("task", d.task().name())
                .put("target", d.target()).put("yMean", yMean).put("yScale", yScale).put("softmax", softmax);
        d.labels().forEach(h.putArray("labels")::add);
        h.set("inputs", inputs.toJson());
        h.set("provenance", ModelFile.JSON.valueToTree(d.provenance()));
        return h;
    }

    private static void shuffle(int[] order, Random random) {
        for (int i = order.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int tmp = order[i];
            order[i] = order[j];
            order[j] = tmp;
        }
    }

    private static String sha256(byte[] bytes) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Rebuilds a saved model whose header has been read; the caller turns failures into {@link EngineException}s. */
    static Model load(ModelFile.Header file, String version) throws Exception {
        ObjectNode h = file.json();
        Inputs inputs = Inputs.fromJson(h.path("inputs"));
        List<String> labels = new ArrayList<>();
        h.path("labels").forEach(l -> labels.add(l.asText()));
        @SuppressWarnings("unchecked")
        Map<String, Object> provenance = ModelFile.JSON.convertValue(h.path("provenance"), Map.class);
        ModelDescriptor descriptor = new ModelDescriptor(DjlEngine.NAME, h.path("engineVersion").asText(version),
                h.path("algorithm").asText(), Task.valueOf(h.path("task").asText()), inputs.schema(),
                h.path("target").isNull() ? null : h.path("target").asText(null), labels, provenance);
        DataInputStream payload = file.payload();
        float yMean = (float) h.path("yMean").asDouble(0);
        float yScale = (float) h.path("yScale").asDouble(1);
        boolean softmax = h.path("softmax").asBoolean(true);
        if (!h.has("network")) {
            long length = payload.readLong();
            if (length < 0 || length > Integer.MAX_VALUE - 16) {
                throw new EngineException("corrupt DJL model: TorchScript length " + length);
            }
            byte[] script = payload.readNBytes((int) length);
            if (script.length != length) {
                throw new EngineException("corrupt DJL model: truncated TorchScript");
            }
            return NativeHost.call(() -> torchScriptModel(descriptor, inputs, script, softmax, h));
        }
        Network network = Network.fromJson(h.path("network"));
        return NativeHost.call(() -> {
            ai.djl.Model net = ai.djl.Model.newInstance("cogwork-" + descriptor.algorithm(), Device.cpu(), NativeHost.PYTORCH);
            try {
                Block block = network.build();
                block.loadParameters(net.getNDManager(), payload);
                net.setBlock(block);
                return new DjlModel(descriptor, net, inputs, network, yMean, yScale, softmax, h, null);
            } catch (IOException | MalformedModelException | RuntimeException e) {
                net.close();
                throw new EngineException("corrupt DJL model parameters: " + e.getMessage(), e);
            }
        });
    }
}
