package org.cogwork.bench;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import ai.djl.training.initializer.XavierInitializer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.cogwork.api.data.DataType;
import org.cogwork.api.data.Dataset;
import org.cogwork.api.data.Field;
import org.cogwork.api.data.Row;
import org.cogwork.api.data.Schema;
import org.cogwork.api.data.Vector;
import org.cogwork.api.engine.Model;
import org.cogwork.api.engine.Task;
import org.cogwork.api.engine.TrainingContext;
import org.cogwork.api.engine.TrainingRequest;
import org.cogwork.api.query.Query;
import org.cogwork.connector.file.FileSource;
import org.cogwork.connector.file.FileSourceConfig;
import org.cogwork.djl.host.NativeHost;
import org.cogwork.engine.djl.DjlEngine;
import org.osgi.util.converter.Converters;

/**
 * The DJL multilayer perceptron (784 → 256 ReLU → 10) on fashion_mnist_test_5k.csv, trained and called through
 * Cogwork's engine SPI (rows with one VECTOR image column, as Cogwork carries images) and through plain DJL code
 * (DJL's Trainer and Adam on float arrays, same batches, same epochs), in one JVM outside OSGi. Prints training
 * throughput, single-row and 100-row inference latency and RSS.
 */
public final class DjlBench {
    static final int HIDDEN = 256;
    static final int EPOCHS = 10;
    static final int BATCH = 128;
    static final float LEARNING_RATE = 0.001f;

    private DjlBench() {
    }

    public static void main(String[] args) throws Exception {
        int runs = Integer.getInteger("runs", 3);
        Path data = Path.of(System.getProperty("cogwork.data", "../shared/data"));
        FileSource files = new FileSource(Converters.standardConverter().convert(Map.of("cogwork.source.id", "data",
                "path", data.resolve("fashion_mnist_test_5k.csv").toString())).to(FileSourceConfig.class));
        Dataset raw = files.read("fashion_mnist_test_5k.csv", Query.all());
        // Images as Cogwork carries them: one VECTOR column of 784 grey values, and the label name as the target.
        List<String> pixels = raw.schema().fields().stream().map(f -> f.name()).filter(c -> c.startsWith("px")).toList();
        Schema schema = Schema.of(Field.of("image", DataType.VECTOR), Field.of("label_name", DataType.CATEGORICAL));
        List<Row> rows = raw.map(schema, r -> {
            double[] v = new double[pixels.size()];
            for (int k = 0; k < v.length; k++) {
                v[k] = ((Number) r.get(pixels.get(k))).doubleValue();
            }
            return new Row(schema, Vector.dense(v), r.get("label_name"));
        }).toList();
        List<String> labels = rows.stream().map(r -> (String) r.get("label_name")).distinct().sorted().toList();
        int n = rows.size();
        int width = pixels.size();
        float[] x = new float[n * width];
        float[] y = new float[n];
        for (int r = 0; r < n; r++) {
            Vector image = (Vector) rows.get(r).get(0);
            for (int k = 0; k < width; k++) {
                x[r * width + k] = (float) image.get(k);
            }
            y[r] = labels.indexOf((String) rows.get(r).get("label_name"));
        }
        Dataset train = Dataset.of(schema, rows);
        DjlEngine engine = new DjlEngine("bench");
        NativeHost.pytorch();
        System.out.printf("DJL %s, PyTorch %s, %d rows x %d pixels, %d epochs, batch %d, %d CPU(s)%n",
                ai.djl.engine.Engine.getDjlVersion(), NativeHost.pytorch().getVersion(), n, width, EPOCHS, BATCH,
                Runtime.getRuntime().availableProcessors());
        Map<String, Object> hp = Map.of("hidden", List.of(HIDDEN), "epochs", EPOCHS, "batchSize", BATCH,
                "learningRate", LEARNING_RATE, "standardize", false);

        // warm-up: JIT and PyTorch's first-use allocations
        plainTraining(x, y, width, labels.size(), 1, 1).close();
        engine.train(new TrainingRequest(Task.CLASSIFICATION, "mlp", Map.of("hidden", List.of(HIDDEN), "epochs", 1,
                "batchSize", BATCH, "standardize", false), train, "label_name", 1), TrainingContext.none()).close();

        List<Double> plainRates = new ArrayList<>();
        List<Double> spiRates = new ArrayList<>();
        List<Double> spiWallRates = new ArrayList<>();
        ai.djl.Model plainModel = null;
        Model spiModel = null;
        for (int run = 0; run < runs; run++) {
            long t0 = System.nanoTime();
            ai.djl.Model p = plainTraining(x, y, width, labels.size(), EPOCHS, 42);
            plainRates.add(EPOCHS * (double) n / ((System.nanoTime() - t0) / 1e9));
            long t1 = System.nanoTime();
            Model m = engine.train(new TrainingRequest(Task.CLASSIFICATION, "mlp", hp, train, "label_name", 42),
                    TrainingContext.none());
            spiWallRates.add(EPOCHS * (double) n / ((System.nanoTime() - t1) / 1e9));
            spiRates.add(((Number) m.descriptor().provenance().get("samplesPerSecond")).doubleValue());
            if (plainModel != null) {
                plainModel.close();
                spiModel.close();
            }
            plainModel = p;
            spiModel = m;
        }
        double plain = median(plainRates);
        double spi = median(spiRates);
        double spiWall = median(spiWallRates);
        System.out.printf("training, samples/s (median of %d): plain DJL %.0f | Cogwork SPI %.0f (loop) %.0f (incl. row encoding)"
                + " | overhead %.1f%% (loop) %.1f%% (incl. encoding)%n", runs, plain, spi, spiWall,
                100 * (plain / spi - 1), 100 * (plain / spiWall - 1));

        for (int batch : new int[] {1, 100}) {
            double[][] latency = inference(plainModel, spiModel, x, rows, width, batch);
            System.out.printf("inference, %d row(s), ms p50/p99: plain DJL %.3f/%.3f | Cogwork SPI %.3f/%.3f | overhead p50 %.1f%%%n",
                    batch, latency[0][0], latency[0][1], latency[1][0], latency[1][1], 100 * (latency[1][0] / latency[0][0] - 1));
        }
        plainModel.close();
        spiModel.close();
    }

    /** Plain DJL: DJL's Trainer, DJL's Adam, the same shuffled batches as the engine. */
    static ai.djl.Model plainTraining(float[] x, float[] y, int width, int classes, int epochs, long seed) throws Exception {
        NativeHost.pytorch().setRandomSeed((int) seed);
        SequentialBlock net = new SequentialBlock().add(Linear.builder().setUnits(HIDDEN).build()).add(Activation.reluBlock())
                .add(Linear.builder().setUnits(classes).build());
        ai.djl.Model model = ai.djl.Model.newInstance("plain", Device.cpu(), "PyTorch");
        model.setBlock(net);
        Loss loss = Loss.softmaxCrossEntropyLoss();
        DefaultTrainingConfig config = new DefaultTrainingConfig(loss).optDevices(new Device[] {Device.cpu()})
                .optInitializer(new XavierInitializer(), Parameter.Type.WEIGHT)
                .optOptimizer(Optimizer.adam().optLearningRateTracker(Tracker.fixed(LEARNING_RATE)).build());
        int n = y.length;
        int[] order = new int[n];
        Arrays.setAll(order, i -> i);
        Random random = new Random(seed);
        try (Trainer trainer = model.newTrainer(config)) {
            trainer.initialize(new Shape(1, width));
            float[] xb = new float[BATCH * width];
            float[] yb = new float[BATCH];
            for (int epoch = 0; epoch < epochs; epoch++) {
                for (int i = n - 1; i > 0; i--) {
                    int j = random.nextInt(i + 1);
                    int t = order[i];
                    order[i] = order[j];
                    order[j] = t;
                }
                for (int from = 0; from < n; from += BATCH) {
                    int b = Math.min(BATCH, n - from);
                    for (int k = 0; k < b; k++) {
                        System.arraycopy(x, order[from + k] * width, xb, k * width, width);
                        yb[k] = y[order[from + k]];
                    }
                    try (NDManager m = trainer.getManager().newSubManager()) {
                        NDArray features = m.create(b == BATCH ? xb : Arrays.copyOf(xb, b * width), new Shape(b, width));
                        NDArray truth = m.create(b == BATCH ? yb : Arrays.copyOf(yb, b), new Shape(b));
                        try (GradientCollector gc = trainer.newGradientCollector()) {
                            NDArray l = loss.evaluate(new NDList(truth), trainer.forward(new NDList(features)));
                            gc.backward(l);
                        }
                        trainer.step();
                    }
                }
            }
        }
        net.freezeParameters(true);
        return model;
    }

    /**
     * Latency of the same rows through plain DJL (float array in, softmax scores out) and through the engine SPI
     * (rows in, predictions with labelled scores out), interleaved so both see the same machine.
     */
    static double[][] inference(ai.djl.Model plain, Model spi, float[] x, List<Row> rows, int width, int batch) {
        int iterations = batch == 1 ? 5000 : 1000;
        double[] plainMs = new double[iterations];
        double[] spiMs = new double[iterations];
        Random random = new Random(1);
        float[] input = new float[batch * width];
        for (int i = -500; i < iterations; i++) {
            List<Row> batchRows = new ArrayList<>(batch);
            for (int k = 0; k < batch; k++) {
                int r = random.nextInt(rows.size());
                System.arraycopy(x, r * width, input, k * width, width);
                batchRows.add(rows.get(r));
            }
            long t = System.nanoTime();
            try (NDManager m = plain.getNDManager().newSubManager()) {
                NDArray out = plain.getBlock().forward(new ParameterStore(m, false),
                        new NDList(m.create(input, new Shape(batch, width))), false).singletonOrThrow().softmax(-1);
                out.toFloatArray();
            }
            long t2 = System.nanoTime();
            spi.predict(batchRows);
            long t3 = System.nanoTime();
            if (i >= 0) {
                plainMs[i] = (t2 - t) / 1e6;
                spiMs[i] = (t3 - t2) / 1e6;
            }
        }
        return new double[][] {percentiles(plainMs), percentiles(spiMs)};
    }

    static double[] percentiles(double[] ms) {
        double[] sorted = ms.clone();
        Arrays.sort(sorted);
        return new double[] {sorted[sorted.length / 2], sorted[(int) (sorted.length * 0.99)]};
    }

    static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(null);
        return sorted.get(sorted.size() / 2);
    }

    static long rssMb() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", "")) / 1024;
            }
        }
        return -1;
    }
}
