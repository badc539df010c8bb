package org.cogwork.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
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
import org.cogwork.api.engine.Prediction;
import org.cogwork.api.engine.Task;
import org.cogwork.api.engine.TrainingContext;
import org.cogwork.api.engine.TrainingRequest;
import org.cogwork.api.feature.FittedPipeline;
import org.cogwork.api.feature.PipelineStep;
import org.cogwork.api.query.Query;
import org.cogwork.connector.file.FileSource;
import org.cogwork.connector.file.FileSourceConfig;
import org.cogwork.engine.tribuo.TribuoEngine;
import org.cogwork.features.internal.BuiltIn;
import org.osgi.util.converter.Converters;
import org.tribuo.Example;
import org.tribuo.MutableDataset;
import org.tribuo.Trainer;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.classification.sgd.linear.LinearSGDTrainer;
import org.tribuo.classification.sgd.objectives.LogMulticlass;
import org.tribuo.impl.ArrayExample;
import org.tribuo.math.optimisers.AdaGrad;
import org.tribuo.provenance.SimpleDataSourceProvenance;
import org.tribuo.transform.TransformTrainer;
import org.tribuo.transform.TransformationMap;
import org.tribuo.transform.transformations.MeanStdDevTransformation;

/**
 * Cogwork's overhead over plain Tribuo for the same task on the same split: both start from the same
 * transformed rows (Cogwork's feature pipeline, fitted on the training part), then Cogwork trains through its
 * engine SPI (rows → Tribuo examples inside the adapter) and plain code builds Tribuo examples itself and
 * calls the same trainer with the same settings and seed. Timed: building the training data, training,
 * predicting the test part. Run with {@code bench/training-bench.sh}.
 */
public final class TrainingBench {
    static final Path DATA = Path.of(System.getProperty("cogwork.data", "../shared/data")).toAbsolutePath().normalize();
    static final int RUNS = Integer.getInteger("runs", 3);

    private TrainingBench() {
    }

    record Task2(String file, String target, List<String> columns, List<PipelineStep> pipeline) {
    }

    public static void main(String[] args) throws Exception {
        FileSource files = new FileSource(Converters.standardConverter().convert(
                Map.of("cogwork.source.id", "files", "path", DATA.toString())).to(FileSourceConfig.class));
        List<Task2> tasks = List.of(
                new Task2("credit_data.csv", "Status", null, List.of(
                        new PipelineStep("impute", Map.of("strategy", "median", "indicator", true)),
                        new PipelineStep("standardize", Map.of()))),
                new Task2("imdb_reviews_10k.csv", "sentiment", List.of("review", "sentiment"), List.of(
                        new PipelineStep("tfidf", Map.of("maxFeatures", 20000, "minDf", 2)))));
        System.out.printf("Cogwork vs plain Tribuo 4.3.2, logistic (LinearSGD, LogMulticlass, AdaGrad 0.5, 10 epochs), "
                + "stratified 80/20 split seed 42, median of %d runs after a warm-up%n", RUNS);
        System.out.printf("%-22s %8s %12s %12s %10s %10s %10s%n", "dataset", "train", "cogwork s", "tribuo s", "overhead",
                "acc cw", "acc tribuo");
        for (Task2 t : tasks) {
            run(files, t);
        }
    }

    static void run(FileSource files, Task2 t) throws Exception {
        Query q = t.columns() == null ? Query.all() : new Query(t.columns(), null, List.of(), null, 0);
        Dataset d = files.read(t.file(), q);
        List<Row> rows = d.toList();
        Schema schema = d.schema();
        int ti = schema.indexOf(t.target());
        List<Integer> train = new ArrayList<>();
        List<Integer> test = new ArrayList<>();
        stratified(rows, ti, 0.2, 42, train, test);
        FittedPipeline pipeline = BuiltIn.pipelineService().fit(Dataset.of(schema, train.stream().map(rows::get).toList()),
                t.target(), t.pipeline());
        List<Row> trainRows = pipeline.applyToTraining(Dataset.of(schema, train.stream().map(rows::get).toList())).toList();
        List<Row> testRows = pipeline.apply(Dataset.of(schema, test.stream().map(rows::get).toList())).toList();
        Schema out = pipeline.outputSchema();
        int target = out.indexOf(t.target());
        List<Row> testFeatures = withoutTarget(testRows, out, target);
        List<String> truth = testRows.stream().map(r -> String.valueOf(r.get(target))).toList();

        TribuoEngine engine = new TribuoEngine("bench");
        List<Double> cw = new ArrayList<>();
        List<Double> plain = new ArrayList<>();
        double accCw = 0;
        double accPlain = 0;
        for (int i = 0; i <= RUNS; i++) {
            long t0 = System.nanoTime();
            List<Prediction> p;
            try (Model m = engine.train(new TrainingRequest(Task.CLASSIFICATION, "logistic", Map.of(),
                    Dataset.of(out, trainRows), t.target(), 42), TrainingContext.none())) {
                p = m.predict(testFeatures);
            }
            double s1 = (System.nanoTime() - t0) / 1e9;
            accCw = accuracy(truth, p.stream().map(x -> String.valueOf(x.value())).toList());

            long t1 = System.nanoTime();
            List<String> predicted = plainTribuo(out, target, trainRows, testRows);
            double s2 = (System.nanoTime() - t1) / 1e9;
            accPlain = accuracy(truth, predicted);
            if (i > 0) {
                cw.add(s1);
                plain.add(s2);
            }
        }
        double mc = median(cw);
        double mp = median(plain);
        System.out.printf("%-22s %8d %12.3f %12.3f %9.1f%% %10.4f %10.4f%n", t.file(), trainRows.size(), mc, mp,
                100 * (mc - mp) / mp, accCw, accPlain);
    }

    /** What a Tribuo user writes by hand: examples from the rows, the same trainer, predictions. */
    static List<String> plainTribuo(Schema out, int target, List<Row> trainRows, List<Row> testRows) {
        LabelFactory factory = new LabelFactory();
        MutableDataset<Label> data = new MutableDataset<>(new SimpleDataSourceProvenance("bench", factory), factory);
        List<String> numeric = new ArrayList<>();
        for (Field f : out.fields()) {
            if (f.type().isNumeric() && !f.name().equals(out.fields().get(target).name())) {
                numeric.add(f.name());
            }
        }
        for (Row r : trainRows) {
            data.add(example(out, target, r, new Label(String.valueOf(r.get(target)))));
        }
        Trainer<Label> trainer = new LinearSGDTrainer(new LogMulticlass(), new AdaGrad(0.5, 0.1), 10, -1, 1, 42);
        if (!numeric.isEmpty()) {
            Map<String, List<org.tribuo.transform.Transformation>> per = new java.util.LinkedHashMap<>();
            numeric.forEach(n -> per.put(n, List.of(new MeanStdDevTransformation())));
            trainer = new TransformTrainer<>(trainer, new TransformationMap(per));
        }
        org.tribuo.Model<Label> model = trainer.train(data);
        List<String> out2 = new ArrayList<>();
        for (Row r : testRows) {
            out2.add(model.predict(example(out, target, r, LabelFactory.UNKNOWN_LABEL)).getOutput().getLabel());
        }
        return out2;
    }

    /** Feature names and values gathered in arrays first, the efficient way to build a Tribuo example. */
    static Example<Label> example(Schema s, int target, Row r, Label label) {
        List<String> names = new ArrayList<>();
        List<Double> values = new ArrayList<>();
        for (int i = 0; i < s.size(); i++) {
            Object v = r.get(i);
            if (i == target || v == null) {
                continue;
            }
            Field f = s.fields().get(i);
            if (f.type() == DataType.VECTOR) {
                Vector vec = (Vector) v;
                for (int k = 0; k < vec.size(); k++) {
                    names.add(f.name() + "#" + vec.indexAt(k));
                    values.add(vec.valueAt(k));
                }
            } else if (v instanceof Number n) {
                names.add(f.name());
                values.add(n.doubleValue());
            } else {
                names.add(f.name() + "=" + v);
                values.add(1.0);
            }
        }
        return new ArrayExample<>(label, names.toArray(String[]::new), values.stream().mapToDouble(Double::doubleValue).toArray());
    }

    static List<Row> withoutTarget(List<Row> rows, Schema s, int target) {
        List<Field> fields = new ArrayList<>(s.fields());
        fields.remove(target);
        Schema f = new Schema(fields);
        List<Row> out = new ArrayList<>();
        for (Row r : rows) {
            List<Object> v = new ArrayList<>(java.util.Arrays.asList(r.values()));
            v.remove(target);
            out.add(new Row(f, v.toArray()));
        }
        return out;
    }

    static void stratified(List<Row> rows, int ti, double testFraction, long seed, List<Integer> train, List<Integer> test) {
        Map<String, List<Integer>> byClass = new java.util.TreeMap<>();
        for (int i = 0; i < rows.size(); i++) {
            byClass.computeIfAbsent(String.valueOf(rows.get(i).get(ti)), k -> new ArrayList<>()).add(i);
        }
        for (List<Integer> members : byClass.values()) {
            List<Integer> p = new ArrayList<>(members);
            Collections.shuffle(p, new Random(seed));
            int n = (int) Math.round(p.size() * testFraction);
            test.addAll(p.subList(0, n));
            train.addAll(p.subList(n, p.size()));
        }
        Collections.sort(train);
        Collections.sort(test);
    }

    static double accuracy(List<String> truth, List<String> predicted) {
        int ok = 0;
        for (int i = 0; i < truth.size(); i++) {
            if (truth.get(i).equals(predicted.get(i))) {
                ok++;
            }
        }
        return ok / (double) truth.size();
    }

    static double median(List<Double> v) {
        List<Double> s = new ArrayList<>(v);
        Collections.sort(s);
        return s.get(s.size() / 2);
    }
}
