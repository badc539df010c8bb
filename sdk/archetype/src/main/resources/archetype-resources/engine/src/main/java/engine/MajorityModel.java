package ${package}.engine;

import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.cogwork.api.data.Field;
import org.cogwork.api.data.Row;
import org.cogwork.api.data.Schema;
import org.cogwork.api.engine.EngineInfo;
import org.cogwork.api.engine.Model;
import org.cogwork.api.engine.ModelDescriptor;
import org.cogwork.api.engine.Prediction;
import org.cogwork.api.engine.Task;

/** A fitted baseline: a class distribution or a mean. Immutable and thread-safe. */
final class MajorityModel implements Model {
    private final ModelDescriptor descriptor;
    private final Map<String, Double> classFrequencies;
    private final double mean;
    private final long trainedRows;
    private volatile boolean closed;

    private MajorityModel(ModelDescriptor descriptor, Map<String, Double> classFrequencies, double mean, long trainedRows) {
        this.descriptor = descriptor;
        this.classFrequencies = classFrequencies;
        this.mean = mean;
        this.trainedRows = trainedRows;
    }

    static MajorityModel majority(EngineInfo engine, Schema features, String target, Map<String, Double> freq, long n) {
        return new MajorityModel(descriptor(engine, MajorityEngine.MAJORITY, Task.CLASSIFICATION, features, target,
                List.copyOf(freq.keySet()), n), Map.copyOf(freq), Double.NaN, n);
    }

    static MajorityModel mean(EngineInfo engine, Schema features, String target, double mean, long n) {
        return new MajorityModel(descriptor(engine, MajorityEngine.MEAN, Task.REGRESSION, features, target, List.of(), n),
                Map.of(), mean, n);
    }

    private static ModelDescriptor descriptor(EngineInfo engine, String algorithm, Task task, Schema features,
                                              String target, List<String> labels, long n) {
        return new ModelDescriptor(engine.name(), engine.version(), algorithm, task, features, target, labels,
                Map.of("trainedRows", n));
    }

    @Override
    public ModelDescriptor descriptor() {
        return descriptor;
    }

    @Override
    public List<Prediction> predict(List<Row> rows) {
        if (closed) {
            throw new IllegalStateException("the model is closed");
        }
        List<Prediction> out = new ArrayList<>(rows.size());
        for (Row row : rows) {
            MajorityEngine.checkRow(descriptor.inputSchema(), row);
            if (descriptor.task() == Task.REGRESSION) {
                out.add(new Prediction(mean, Map.of()));
            } else {
                String best = classFrequencies.entrySet().stream()
                        .max(Map.Entry.<String, Double>comparingByValue().thenComparing(Map.Entry.comparingByKey(Comparator.reverseOrder())))
                        .orElseThrow().getKey();
                out.add(new Prediction(best, classFrequencies));
            }
        }
        return out;
    }

    @Override
    public void save(OutputStream out) throws IOException {
        Properties p = new Properties();
        p.setProperty("engine", MajorityEngine.NAME);
        p.setProperty("format", "1");
        p.setProperty("algorithm", descriptor.algorithm());
        p.setProperty("target", descriptor.target());
        p.setProperty("trainedRows", Long.toString(trainedRows));
        p.setProperty("mean", Double.toString(mean));
        List<Field> fields = descriptor.inputSchema().fields();
        p.setProperty("features", Integer.toString(fields.size()));
        for (int i = 0; i < fields.size(); i++) {
            p.setProperty("feature." + i, fields.get(i).name() + ":" + fields.get(i).type());
        }
        int i = 0;
        for (Map.Entry<String, Double> e : new TreeMap<>(classFrequencies).entrySet()) {
            p.setProperty("class." + i, e.getKey());
            p.setProperty("freq." + i, Double.toString(e.getValue()));
            i++;
        }
        Writer w = new OutputStreamWriter(out, StandardCharsets.UTF_8);
        p.store(w, "Cogwork baseline model");
        w.flush();
    }

    static MajorityModel fromProperties(EngineInfo engine, Properties p) {
        int nf = Integer.parseInt(p.getProperty("features"));
        List<Field> fields = new ArrayList<>();
        for (int i = 0; i < nf; i++) {
            String[] f = p.getProperty("feature." + i).split(":", 2);
            fields.add(Field.of(f[0], MajorityEngine.typeOf(f[1])));
        }
        Schema features = new Schema(fields);
        String target = p.getProperty("target");
        long n = Long.parseLong(p.getProperty("trainedRows"));
        if (MajorityEngine.MEAN.equals(p.getProperty("algorithm"))) {
            return mean(engine, features, target, Double.parseDouble(p.getProperty("mean")), n);
        }
        Map<String, Double> freq = new LinkedHashMap<>();
        for (int i = 0; p.getProperty("class." + i) != null; i++) {
            freq.put(p.getProperty("class." + i), Double.parseDouble(p.getProperty("freq." + i)));
        }
        if (freq.isEmpty()) {
            throw new IllegalArgumentException("no classes");
        }
        return majority(engine, features, target, freq, n);
    }

    @Override
    public void close() {
        closed = true; // nothing native to release
    }
}
