package org.cogwork.engine.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.cogwork.api.data.Row;
import org.cogwork.api.engine.Model;
import org.cogwork.api.engine.ModelDescriptor;
import org.cogwork.api.engine.Prediction;
import org.cogwork.api.engine.Task;

/**
 * A trained (or imported TorchScript) network with its input layout. Predictions run in a child NDManager that
 * is closed after each call; {@link #close} frees the parameters' native memory. Thread-safe.
 */
final class DjlModel implements Model {
    private final ModelDescriptor descriptor;
    private final ai.djl.Model net;
    private final Inputs inputs;
    private final Network network;
    private final float yMean;
    private final float yScale;
    private final boolean softmax;
    private final ObjectNode header;
    private final byte[] torchScript;
    private final AtomicBoolean closed = new AtomicBoolean();

    /**
     * @param network the architecture, {@code null} for TorchScript
     * @param torchScript the TorchScript file's bytes, {@code null} for a network trained here
     * @param header what {@link #save} writes before the payload (everything {@link DjlEngine#load} needs)
     */
    DjlModel(ModelDescriptor descriptor, ai.djl.Model net, Inputs inputs, Network network, float yMean, float yScale,
             boolean softmax, ObjectNode header, byte[] torchScript) {
        this.descriptor = descriptor;
        this.net = net;
        this.inputs = inputs;
        this.network = network;
        this.yMean = yMean;
        this.yScale = yScale;
        this.softmax = softmax;
        this.header = header;
        this.torchScript = torchScript;
    }

    @Override
    public ModelDescriptor descriptor() {
        return descriptor;
    }

    @Override
    public List<Prediction> predict(List<Row> rows) {
        if (closed.get()) {
            throw new IllegalStateException("the model is closed");
        }
        if (rows.isEmpty()) {
            return List.of();
        }
        int width = inputs.width();
        float[] x = new float[rows.size() * width];
        for (int r = 0; r < rows.size(); r++) {
            inputs.encode(rows.get(r), x, r * width);
        }
        if (network != null && network.kind().equals("text")) {
            clampTokenIds(x, network.vocabulary());
        }
        float[] out;
        int outputs;
        try (NDManager m = net.getNDManager().newSubManager()) {
            NDArray batch = m.create(x, new Shape(rows.size(), width));
            NDArray y = net.getBlock().forward(new ParameterStore(m, false), new NDList(batch), false).singletonOrThrow();
            if (descriptor.task() == Task.CLASSIFICATION && softmax) {
                y = y.softmax(-1);
            }
            outputs = (int) (y.size() / rows.size());
            out = y.toFloatArray();
        }
        List<Prediction> predictions = new ArrayList<>(rows.size());
        List<String> labels = descriptor.labels();
        for (int r = 0; r < rows.size(); r++) {
            if (descriptor.task() == Task.REGRESSION) {
                if (outputs != 1) {
                    throw new IllegalStateException("the network gives " + outputs + " outputs per row, a regression needs 1");
                }
                predictions.add(new Prediction((double) (out[r * outputs] / yScale + yMean), Map.of()));
                continue;
            }
            if (outputs != labels.size()) {
                throw new IllegalStateException("the network gives " + outputs + " outputs for " + labels.size() + " labels");
            }
            @SuppressWarnings("unchecked")
            Map.Entry<String, Double>[] scores = new Map.Entry[outputs];
            int best = 0;
            for (int k = 0; k < outputs; k++) {
                scores[k] = Map.entry(labels.get(k), (double) out[r * outputs + k]);
                if (out[r * outputs + k] > out[r * outputs + best]) {
                    best = k;
                }
            }
            // built immutable at once: Prediction keeps such a map as it is instead of copying it
            predictions.add(new Prediction(labels.get(best), Map.ofEntries(scores)));
        }
        return predictions;
    }

    /** Token ids the network never saw map to the unknown-token id 1. */
    static void clampTokenIds(float[] ids, int vocabulary) {
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] >= vocabulary || ids[i] < 0) {
                ids[i] = 1;
            }
        }
    }

    @Override
    public void save(OutputStream out) throws IOException {
        if (closed.get()) {
            throw new IllegalStateException("the model is closed");
        }
        DataOutputStream data = ModelFile.begin(out, header);
        if (torchScript != null) {
            data.writeLong(torchScript.length);
            data.write(torchScript);
        } else {
            net.getBlock().saveParameters(data);
        }
        data.flush();
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            net.close();
        }
    }
}
