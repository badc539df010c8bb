package org.cogwork.engine.djl;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.cogwork.api.engine.AlgorithmInfo;
import org.cogwork.api.engine.Task;

/** The DJL engine's algorithms and their hyperparameters with defaults. */
enum Algorithm {
    MLP("mlp", Task.CLASSIFICATION, "multilayer perceptron (ReLU, Adam, softmax cross-entropy) on numeric, "
            + "vector (e.g. image pixels, TF-IDF) and categorical features", mlpParams(10, 64, 0.001)),
    MLP_REGRESSION("mlp-regression", Task.REGRESSION, "multilayer perceptron (ReLU, Adam, squared error) on a "
            + "standardised target", mlpParams(50, 32, 0.001)),
    TEXT_EMBEDDING("text-embedding", Task.CLASSIFICATION, "text classifier: mean of learned word embeddings over the "
            + "token ids of one VECTOR column (the tokens transform), a ReLU layer and softmax", textParams()),
    TORCHSCRIPT("torchscript", Task.CLASSIFICATION, "a TorchScript model file trained elsewhere, used as is: "
            + "its input is the row's features as one float vector, its output one score per class", torchScriptParams(true)),
    TORCHSCRIPT_REGRESSION("torchscript-regression", Task.REGRESSION, "a TorchScript regression model trained elsewhere, "
            + "used as is: its input is the row's features as one float vector, its output the predicted value",
            torchScriptParams(false));

    final String algorithmName;
    final Task task;
    final String description;
    final Map<String, String> parameters;

    Algorithm(String algorithmName, Task task, String description, Map<String, String> parameters) {
        this.algorithmName = algorithmName;
        this.task = task;
        this.description = description;
        this.parameters = parameters;
    }

    /** Whether this algorithm uses a TorchScript file instead of training a network. */
    boolean torchScript() {
        return this == TORCHSCRIPT || this == TORCHSCRIPT_REGRESSION;
    }

    AlgorithmInfo info() {
        return new AlgorithmInfo(algorithmName, task, description, parameters);
    }

    static Optional<Algorithm> find(String name, Task task) {
        return Arrays.stream(values()).filter(a -> a.algorithmName.equals(name) && a.task == task).findFirst();
    }

    private static Map<String, String> mlpParams(int epochs, int batchSize, double learningRate) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("hidden", "sizes of the hidden layers, e.g. [256, 128] (default [128])");
        p.put("epochs", "passes over the training rows (default " + epochs + ")");
        p.put("batchSize", "rows per gradient step (default " + batchSize + ")");
        p.put("learningRate", "Adam learning rate (default " + learningRate + ")");
        p.put("weightDecay", "L2 weight decay (default 0)");
        p.put("dropout", "dropout rate after each hidden layer, in [0, 1) (default 0)");
        p.put("standardize", "standardise every input slot by its training mean and deviation (default true)");
        return Map.copyOf(p);
    }

    private static Map<String, String> textParams() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("embeddingSize", "size of the word vectors (default 64)");
        p.put("hidden", "sizes of the hidden layers after the embedding mean (default [64])");
        p.put("epochs", "passes over the training rows (default 6)");
        p.put("batchSize", "rows per gradient step (default 32)");
        p.put("learningRate", "Adam learning rate (default 0.005)");
        p.put("weightDecay", "L2 weight decay (default 0)");
        p.put("dropout", "dropout rate after each hidden layer, in [0, 1) (default 0.2)");
        return Map.copyOf(p);
    }

    private static Map<String, String> torchScriptParams(boolean classification) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("path", "the TorchScript file (.pt) on the server (required; the file is copied into the model)");
        if (classification) {
            p.put("labels", "class labels in the order of the model's outputs (default the sorted training labels)");
            p.put("outputs", "logits or probabilities (default logits: softmax is applied)");
        }
        p.put("standardize", "standardise the inputs as the mlp does (default false: raw feature values)");
        return Map.copyOf(p);
    }
}
