package org.cogwork.engine.djl;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.cogwork.api.engine.AlgorithmInfo;
import org.cogwork.api.engine.Hyperparameter;
import org.cogwork.api.engine.Task;

/** The DJL engine's algorithms and their hyperparameters: types, defaults and the bounds the network code needs. */
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
    final List<Hyperparameter> parameters;

    Algorithm(String algorithmName, Task task, String description, List<Hyperparameter> parameters) {
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

    // Upper bounds keep one request from asking for more than a node can give (a layer of a million units, an
    // embedding table of 4096 floats per word) and keep values inside the ints the network code uses.
    private static final int MAX_EPOCHS = 100_000;
    private static final int MAX_BATCH = 1_000_000;
    private static final int MAX_LAYER = 65_536;
    private static final int MAX_EMBEDDING = 4_096;

    private static List<Hyperparameter> mlpParams(int epochs, int batchSize, double learningRate) {
        return List.of(
                Hyperparameter.integerList("hidden", List.of(128), "sizes of the hidden layers, e.g. [256, 128] ([] for none: a linear model)")
                        .atLeast(1).atMost(MAX_LAYER),
                Hyperparameter.integer("epochs", epochs, "passes over the training rows").atLeast(1).atMost(MAX_EPOCHS),
                Hyperparameter.integer("batchSize", batchSize, "rows per gradient step").atLeast(1).atMost(MAX_BATCH),
                learningRate(learningRate),
                weightDecay(),
                dropout(0),
                Hyperparameter.bool("standardize", true, "standardise every input slot by its training mean and deviation"));
    }

    private static List<Hyperparameter> textParams() {
        return List.of(
                Hyperparameter.integer("embeddingSize", 64, "size of the word vectors").atLeast(1).atMost(MAX_EMBEDDING),
                Hyperparameter.integerList("hidden", List.of(64), "sizes of the hidden layers after the embedding mean")
                        .atLeast(1).atMost(MAX_LAYER),
                Hyperparameter.integer("epochs", 6, "passes over the training rows").atLeast(1).atMost(MAX_EPOCHS),
                Hyperparameter.integer("batchSize", 32, "rows per gradient step").atLeast(1).atMost(MAX_BATCH),
                learningRate(0.005),
                weightDecay(),
                dropout(0.2));
    }

    private static List<Hyperparameter> torchScriptParams(boolean classification) {
        List<Hyperparameter> p = new ArrayList<>();
        p.add(Hyperparameter.path("path", "the TorchScript file (.pt) on the server, inside the data roots (the file is copied "
                + "into the model)").asRequired());
        if (classification) {
            p.add(Hyperparameter.string("labels", null, "class labels in the order of the model's outputs, separated by commas "
                    + "(when left out: the sorted training labels)"));
            p.add(Hyperparameter.choice("outputs", "logits", List.of("logits", "probabilities"),
                    "what the model's outputs are (softmax is applied to logits)"));
        }
        p.add(Hyperparameter.bool("standardize", false, "standardise the inputs as the mlp does (false: raw feature values)"));
        return List.copyOf(p);
    }

    private static Hyperparameter learningRate(double value) {
        return Hyperparameter.number("learningRate", value, "Adam learning rate").atLeast(1e-7).lessThan(10);
    }

    private static Hyperparameter weightDecay() {
        return Hyperparameter.number("weightDecay", 0, "L2 weight decay").atLeast(0).lessThan(1);
    }

    private static Hyperparameter dropout(double value) {
        return Hyperparameter.number("dropout", value, "dropout rate after each hidden layer").atLeast(0).lessThan(1);
    }
}
