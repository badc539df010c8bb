package org.cogwork.itests.faulty;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.cogwork.api.data.DataType;
import org.cogwork.api.data.Field;
import org.cogwork.api.data.Row;
import org.cogwork.api.data.Schema;
import org.cogwork.api.engine.ModelDescriptor;
import org.cogwork.api.engine.Model;
import org.cogwork.api.engine.Prediction;
import org.cogwork.api.engine.Task;

/**
 * A model that always answers its first label, and whose loading takes {@code loadSeconds}: a stand-in for a large
 * model read from slow storage, for tests that one model's cold load does not hold up others.
 */
final class SlowLoadModel implements Model {
    private final ModelDescriptor descriptor;
    private final int loadSeconds;
    private final Prediction answer;

    SlowLoadModel(Schema features, String target, List<String> labels, int loadSeconds) {
        this.descriptor = new ModelDescriptor(FaultyEngine.NAME, "1.0.0", "slow-load", Task.CLASSIFICATION, features, target, labels,
                Map.of("loadSeconds", loadSeconds));
        this.loadSeconds = loadSeconds;
        Map<String, Double> scores = new LinkedHashMap<>();
        labels.forEach(l -> scores.put(l, scores.isEmpty() ? 1.0 : 0.0));
        this.answer = new Prediction(labels.get(0), scores);
    }

    @Override
    public ModelDescriptor descriptor() {
        return descriptor;
    }

    @Override
    public List<Prediction> predict(List<Row> rows) {
        List<Prediction> out = new ArrayList<>(rows.size());
        rows.forEach(r -> out.add(answer));
        return out;
    }

    /** Lines: the load time, the target, the labels (tab-separated), then one {@code name TYPE} per feature. */
    @Override
    public void save(OutputStream out) throws IOException {
        StringBuilder s = new StringBuilder().append(loadSeconds).append('\n').append(descriptor.target()).append('\n')
                .append(String.join("\t", descriptor.labels())).append('\n');
        descriptor.inputSchema().fields().forEach(f -> s.append(f.name()).append(' ').append(f.type()).append('\n'));
        out.write(s.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** Reads what {@link #save} wrote, taking {@code loadSeconds} to do so. */
    static SlowLoadModel load(InputStream in) throws IOException {
        String[] lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n");
        int seconds = Integer.parseInt(lines[0]);
        List<Field> fields = new ArrayList<>();
        for (int i = 3; i < lines.length; i++) {
            String[] f = lines[i].split(" ");
            fields.add(new Field(f[0], DataType.valueOf(f[1]), true));
        }
        try {
            Thread.sleep(seconds * 1000L);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while loading");
        }
        return new SlowLoadModel(new Schema(fields), lines[1], List.of(lines[2].split("\t")), seconds);
    }

    @Override
    public void close() {
    }
}
