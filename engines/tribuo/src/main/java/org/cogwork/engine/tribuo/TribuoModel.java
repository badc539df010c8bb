package org.cogwork.engine.tribuo;

import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.cogwork.api.data.Row;
import org.cogwork.api.engine.Model;
import org.cogwork.api.engine.ModelDescriptor;
import org.cogwork.api.engine.Prediction;
import org.cogwork.api.engine.Task;
import org.tribuo.Example;
import org.tribuo.Output;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.clustering.ClusterID;
import org.tribuo.clustering.ClusteringFactory;
import org.tribuo.regression.RegressionFactory;
import org.tribuo.regression.Regressor;

/**
 * A trained Tribuo model. Tribuo's linear, tree, ensemble and k-means models do not change when they predict,
 * so {@link #predict} is thread-safe; {@link #close} drops the model (later calls fail). A random forest or CART tree
 * predicts through its flat form and is saved as it ({@link ModelFormat#FLAT_FOREST}); it has no Tribuo model (this
 * engine grows trees with ForestLearner; a forest saved as a Tribuo ensemble by an earlier version is read into the
 * flat form, a CART tree saved as Tribuo's predicts through Tribuo).
 */
final class TribuoModel implements Model {
    /** Provenance keys of a regression model trained on a standardised target: predictions are scaled back with them. */
    static final String TARGET_MEAN = "targetMean";
    static final String TARGET_SCALE = "targetScale";

    private final ModelDescriptor descriptor;
    private final Features features;
    private final double targetMean;
    private final double targetScale;
    /** The Tribuo model; {@code null} for a tree or forest grown by ForestLearner (its flat form predicts). */
    private volatile org.tribuo.Model<?> model;
    private volatile boolean closed;
    /** A random forest's or tree's flat form, used to predict (null for other models). */
    private final FlatForest forest;
    /** A linear SGD model's flat form, used to predict (null for other models). */
    private final FlatLinear linear;

    TribuoModel(ModelDescriptor descriptor, org.tribuo.Model<?> model) {
        this(descriptor, model, "random-forest".equals(descriptor.algorithm()) ? FlatForest.of(model) : null);
    }

    /** A random forest or CART tree grown by ForestLearner: it has no Tribuo model. */
    static TribuoModel forest(ModelDescriptor descriptor, FlatForest forest) {
        return new TribuoModel(descriptor, null, forest);
    }

    /** A model as {@link ModelFormat#read} gave it: a Tribuo model, or a forest in its flat form only. */
    static TribuoModel of(ModelFormat.Loaded loaded) {
        return loaded.forest() != null ? new TribuoModel(loaded.descriptor(), null, loaded.forest())
                : new TribuoModel(loaded.descriptor(), loaded.model());
    }

    private TribuoModel(ModelDescriptor descriptor, org.tribuo.Model<?> model, FlatForest forest) {
        this.descriptor = descriptor;
        this.features = new Features(descriptor.inputSchema());
        this.model = model;
        this.forest = forest;
        this.linear = descriptor.task() == Task.CLUSTERING || model == null ? null
                : FlatLinear.of(model, descriptor.inputSchema(), descriptor.task() == Task.CLASSIFICATION);
        this.targetMean = descriptor.provenance().get(TARGET_MEAN) instanceof Number n ? n.doubleValue() : 0;
        this.targetScale = descriptor.provenance().get(TARGET_SCALE) instanceof Number n ? n.doubleValue() : 1;
    }

    @Override
    public ModelDescriptor descriptor() {
        return descriptor;
    }

    @Override
    @SuppressWarnings("unchecked")
    public List<Prediction> predict(List<Row> rows) {
        checkOpen();
        if (forest != null) {
            return predictForest(rows);
        }
        if (linear != null) {
            return predictLinear(rows);
        }
        org.tribuo.Model<?> m = live();
        List<Prediction> out = new ArrayList<>(rows.size());
        for (Row row : rows) {
            out.add(switch (descriptor.task()) {
                case CLASSIFICATION -> {
                    org.tribuo.Prediction<Label> p = predictOne((org.tribuo.Model<Label>) m, row, LabelFactory.UNKNOWN_LABEL);
                    Map<String, Double> scores = new LinkedHashMap<>();
                    for (Map.Entry<String, Label> e : p.getOutputScores().entrySet()) {
                        scores.put(e.getKey(), e.getValue().getScore());
                    }
                    yield new Prediction(p.getOutput().getLabel(), scores);
                }
                case REGRESSION -> {
                    org.tribuo.Prediction<Regressor> p = predictOne((org.tribuo.Model<Regressor>) m, row,
                            RegressionFactory.UNKNOWN_REGRESSOR);
                    yield new Prediction(p.getOutput().getValues()[0] * targetScale + targetMean, Map.of());
                }
                case CLUSTERING -> {
                    org.tribuo.Prediction<ClusterID> p = predictOne((org.tribuo.Model<ClusterID>) m, row,
                            ClusteringFactory.UNASSIGNED_CLUSTER_ID);
                    yield new Prediction(p.getOutput().getID(), Map.of());
                }
            });
        }
        return out;
    }

    private List<Prediction> predictLinear(List<Row> rows) {
        String[] outputs = linear.outputs();
        List<Prediction> out = new ArrayList<>(rows.size());
        for (Row row : rows) {
            double[] score = linear.scores(row);
            if (descriptor.task() == Task.REGRESSION) {
                out.add(new Prediction(score[0] * targetScale + targetMean, Map.of()));
                continue;
            }
            Map<String, Double> scores = new LinkedHashMap<>();
            int best = 0; // Tribuo's choice: the first highest score in output id order
            for (int k = 0; k < score.length; k++) {
                scores.put(outputs[k], score[k]);
                if (score[k] > score[best]) {
                    best = k;
                }
            }
            out.add(new Prediction(outputs[best], scores));
        }
        return out;
    }

    private List<Prediction> predictForest(List<Row> rows) {
        List<Prediction> out = new ArrayList<>(rows.size());
        if (forest.classification()) {
            List<Example<Label>> examples = new ArrayList<>(rows.size());
            for (Row row : rows) {
                examples.add(features.encode(row, LabelFactory.UNKNOWN_LABEL)); // a wrong type is refused here, as such
            }
            for (double[] score : known(() -> forest.scores(examples))) {
                Map<String, Double> scores = new LinkedHashMap<>();
                int best = 0;
                for (int k = 0; k < score.length; k++) {
                    scores.put(forest.labels().get(k), score[k]);
                    if (score[k] > score[best]) {
                        best = k;
                    }
                }
                out.add(new Prediction(forest.labels().get(best), scores));
            }
        } else {
            List<Example<Regressor>> examples = new ArrayList<>(rows.size());
            for (Row row : rows) {
                examples.add(features.encode(row, RegressionFactory.UNKNOWN_REGRESSOR));
            }
            for (double value : known(() -> forest.values(examples))) {
                out.add(new Prediction(value * targetScale + targetMean, Map.of()));
            }
        }
        return out;
    }

    /** The forest's answer; a row none of whose features it knows (all missing or unseen values) is refused, as Tribuo does. */
    private static <R> R known(java.util.function.Supplier<R> answer) {
        try {
            return answer.get();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("a row has no feature value the model was trained on: " + e.getMessage(), e);
        }
    }

    private <T extends Output<T>> org.tribuo.Prediction<T> predictOne(org.tribuo.Model<T> m, Row row, T unknown) {
        Example<T> example = features.encode(row, unknown);
        try {
            return m.predict(example);
        } catch (IllegalArgumentException e) {
            // Tribuo refuses an example none of whose features it has seen (all missing or unseen values)
            IllegalArgumentException refused = Features.noKnownFeature(row, e.getMessage());
            refused.initCause(e);
            throw refused;
        }
    }

    @Override
    public void save(OutputStream out) throws IOException {
        checkOpen();
        if (forest != null) {
            ModelFormat.write(out, descriptor, forest);
        } else {
            ModelFormat.write(out, descriptor, live());
        }
    }

    /** The Tribuo model, or {@code null} for a forest (for tests comparing answers). */
    org.tribuo.Model<?> tribuoModel() {
        checkOpen();
        return model;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("model " + descriptor.algorithm() + " is closed");
        }
    }

    private org.tribuo.Model<?> live() {
        checkOpen();
        org.tribuo.Model<?> m = model;
        if (m == null) {
            throw new IllegalStateException("model " + descriptor.algorithm() + " is closed");
        }
        return m;
    }

    @Override
    public void close() {
        closed = true;
        model = null; // Tribuo models hold only heap memory
    }
}
