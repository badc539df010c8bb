package org.cogwork.engine.onnx;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.cogwork.api.engine.AlgorithmInfo;
import org.cogwork.api.engine.Hyperparameter;
import org.cogwork.api.engine.Task;

/**
 * The ONNX engine's algorithms: one per task, both "use this ONNX file as the model". A classifier and a regressor
 * differ in what they read from the model's outputs, so the task picks the algorithm (as DJL's torchscript and
 * torchscript-regression), rather than one algorithm guessing the task from the outputs.
 */
enum Algorithm {
    CLASSIFIER("onnx-classifier", Task.CLASSIFICATION, "an ONNX classifier trained elsewhere (scikit-learn through skl2onnx, "
            + "PyTorch through torch.onnx.export, ...), used as is: its inputs are read from the model (one float tensor [N, F] "
            + "of the features in order, or one input per feature column, by name); its outputs a label and class "
            + "probabilities (a tensor or a ZipMap), or one score per class"),
    REGRESSOR("onnx-regressor", Task.REGRESSION, "an ONNX regression model trained elsewhere, used as is: inputs as for "
            + "onnx-classifier, its first numeric output one value per row");

    final String algorithmName;
    final Task task;
    final String description;

    Algorithm(String algorithmName, Task task, String description) {
        this.algorithmName = algorithmName;
        this.task = task;
        this.description = description;
    }

    AlgorithmInfo info() {
        List<Hyperparameter> p = new ArrayList<>();
        p.add(Hyperparameter.path("path", "the ONNX file (.onnx) on the server, inside the data roots (the file is copied into "
                + "the model)").asRequired());
        if (task == Task.CLASSIFICATION) {
            p.add(Hyperparameter.string("labels", null, "class labels in the order of the model's score columns, separated by "
                    + "commas (when left out: the classes a ZipMap output names, else the sorted training labels)"));
            p.add(Hyperparameter.choice("outputs", "probabilities", List.of("probabilities", "logits"),
                    "what a score tensor holds when the model gives one (softmax is applied to logits); a ZipMap is always "
                            + "probabilities"));
        }
        p.add(Hyperparameter.integer("threads", 1, "ONNX Runtime threads per prediction call (1: the caller's thread only, "
                + "best for small tabular models)").atLeast(1).atMost(256));
        return new AlgorithmInfo(algorithmName, task, description, p);
    }

    static Optional<Algorithm> find(String name, Task task) {
        return Arrays.stream(values()).filter(a -> a.algorithmName.equals(name) && a.task == task).findFirst();
    }
}
