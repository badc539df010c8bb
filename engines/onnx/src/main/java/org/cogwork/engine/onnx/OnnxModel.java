package org.cogwork.engine.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.cogwork.api.data.Row;
import org.cogwork.api.engine.Model;
import org.cogwork.api.engine.ModelDescriptor;
import org.cogwork.api.engine.Prediction;
import org.cogwork.api.engine.Task;

/**
 * An imported ONNX model: an ONNX Runtime session over the file's bytes, the binding of feature columns to its inputs
 * and the choice of outputs. Thread-safe: ONNX Runtime runs one session from several threads at once; a read-write lock
 * keeps {@link #close} from freeing the session under a running prediction.
 */
final class OnnxModel implements Model {
    private final ModelDescriptor descriptor;
    private final OrtEnvironment env;
    private final OrtSession session;
    private final Inputs inputs;
    private final Outputs outputs;
    private final boolean softmax;
    private final ObjectNode header;
    private final byte[] onnx;
    private final ReadWriteLock lock = new ReentrantReadWriteLock();
    private boolean closed;

    OnnxModel(ModelDescriptor descriptor, OrtEnvironment env, OrtSession session, Inputs inputs, Outputs outputs,
              boolean softmax, ObjectNode header, byte[] onnx) {
        this.descriptor = descriptor;
        this.env = env;
        this.session = session;
        this.inputs = inputs;
        this.outputs = outputs;
        this.softmax = softmax;
        this.header = header;
        this.onnx = onnx;
    }

    @Override
    public ModelDescriptor descriptor() {
        return descriptor;
    }

    @Override
    public List<Prediction> predict(List<Row> rows) {
        lock.readLock().lock();
        try {
            if (closed) {
                throw new IllegalStateException("the model is closed");
            }
            if (rows.isEmpty()) {
                return List.of();
            }
            if (!inputs.singleRow()) {
                return predictions(run(session, env, inputs, outputs, rows), rows.size());
            }
            List<Prediction> out = new ArrayList<>(rows.size());
            for (Row row : rows) {
                out.addAll(predictions(run(session, env, inputs, outputs, List.of(row)), 1));
            }
            return out;
        } finally {
            lock.readLock().unlock();
        }
    }

    /** One run of the session on {@code rows}; the model's own failures are {@link IllegalStateException}s. */
    static Outputs.Raw run(OrtSession session, OrtEnvironment env, Inputs inputs, Outputs outputs, List<Row> rows) {
        Map<String, OnnxTensor> tensors;
        try {
            tensors = inputs.tensors(env, rows);
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime could not take the input: " + e.getMessage(), e);
        }
        try (OrtSession.Result result = session.run(tensors, outputs.names())) {
            return outputs.read(result, rows.size());
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime failed: " + e.getMessage(), e);
        } finally {
            tensors.values().forEach(OnnxTensor::close);
        }
    }

    private List<Prediction> predictions(Outputs.Raw raw, int n) {
        List<Prediction> out = new ArrayList<>(n);
        if (descriptor.task() == Task.REGRESSION) {
            for (int r = 0; r < n; r++) {
                out.add(new Prediction(raw.values()[r], Map.of()));
            }
            return out;
        }
        List<String> labels = descriptor.labels();
        for (int r = 0; r < n; r++) {
            Map<String, Double> scores = Map.of();
            String best = null;
            if (raw.mapScores() != null) {
                scores = Map.copyOf(raw.mapScores().get(r));
                best = argmax(scores);
            } else if (raw.tensorScores() != null) {
                double[] s = raw.tensorScores().get(r);
                if (s.length != labels.size()) {
                    throw new IllegalStateException("the model gives " + s.length + " scores for " + labels.size() + " labels");
                }
                if (softmax) {
                    softmax(s);
                }
                @SuppressWarnings("unchecked")
                Map.Entry<String, Double>[] entries = new Map.Entry[s.length];
                int k = 0;
                for (int i = 0; i < s.length; i++) {
                    entries[i] = Map.entry(labels.get(i), s[i]);
                    if (s[i] > s[k]) {
                        k = i;
                    }
                }
                scores = Map.ofEntries(entries);
                best = labels.get(k);
            }
            // the model's own label when it gives one (its decision rule may not be the argmax, e.g. a threshold)
            out.add(new Prediction(raw.labels() != null ? raw.labels().get(r) : best, scores));
        }
        return out;
    }

    static String argmax(Map<String, Double> scores) {
        return scores.entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey).orElse(null);
    }

    static void softmax(double[] s) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : s) {
            max = Math.max(max, v);
        }
        double sum = 0;
        for (int i = 0; i < s.length; i++) {
            s[i] = Math.exp(s[i] - max);
            sum += s[i];
        }
        for (int i = 0; i < s.length; i++) {
            s[i] /= sum;
        }
    }

    @Override
    public void save(OutputStream out) throws IOException {
        lock.readLock().lock();
        try {
            if (closed) {
                throw new IllegalStateException("the model is closed");
            }
            ModelFile.write(out, header, onnx);
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public void close() {
        lock.writeLock().lock();
        try {
            if (!closed) {
                closed = true;
                session.close();
            }
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime could not close the session: " + e.getMessage(), e);
        } finally {
            lock.writeLock().unlock();
        }
    }
}
