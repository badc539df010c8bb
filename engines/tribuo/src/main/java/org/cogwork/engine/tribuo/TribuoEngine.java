package org.cogwork.engine.tribuo;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;
import org.cogwork.api.data.Field;
import org.cogwork.api.data.Row;
import org.cogwork.api.data.RowCursor;
import org.cogwork.api.data.Schema;
import org.cogwork.api.engine.Engine;
import org.cogwork.api.engine.EngineException;
import org.cogwork.api.engine.EngineInfo;
import org.cogwork.api.engine.Model;
import org.cogwork.api.engine.ModelDescriptor;
import org.cogwork.api.engine.Task;
import org.cogwork.api.engine.TrainingContext;
import org.cogwork.api.engine.TrainingRequest;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.tribuo.MutableDataset;
import org.tribuo.Output;
import org.tribuo.OutputFactory;
import org.tribuo.Trainer;
import org.tribuo.Tribuo;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.classification.liblinear.LibLinearClassificationTrainer;
import org.tribuo.classification.liblinear.LinearClassificationType;
import org.tribuo.classification.sgd.objectives.LogMulticlass;
import org.tribuo.clustering.ClusteringFactory;
import org.tribuo.clustering.kmeans.KMeansTrainer;
import org.tribuo.math.distance.L2Distance;
import org.tribuo.math.optimisers.AdaGrad;
import org.tribuo.provenance.SimpleDataSourceProvenance;
import org.tribuo.regression.RegressionFactory;
import org.tribuo.regression.Regressor;
import org.tribuo.regression.sgd.objectives.SquaredLoss;
import org.tribuo.transform.Transformation;
import org.tribuo.transform.TransformTrainer;
import org.tribuo.transform.TransformationMap;
import org.tribuo.transform.transformations.MeanStdDevTransformation;

/**
 * Classification, regression and clustering with Oracle Tribuo. Tribuo itself lives in the library bundle
 * {@code org.cogwork.tribuo.lib}; this adapter can be updated on its own. CART trees and random forests are grown by
 * this engine's own learner ({@link ForestLearner}) on the examples as they are encoded for Tribuo (Tribuo's CART
 * trained forests 4-5 times slower than scikit-learn) and save in their flat form; the other models are Tribuo's and
 * save as Tribuo protobuf (see {@link ModelFormat}). Every trainer gets the request's seed, so the same request on the
 * same data gives the same model.
 *
 * <p>The linear models ({@code logistic}, {@code linear}) standardise the numeric (INT/DOUBLE) input columns
 * themselves with a per-feature mean/standard-deviation transformation that is part of the saved Tribuo model:
 * SGD on raw columns of very different scales (income in hundreds, price in thousands) barely learns, and
 * standardising features the platform has already standardised changes nothing. Indicator ({@code col=value})
 * and vector features are left alone (scaling one-hot features globally gives NaN). Trees and k-means see
 * the raw values.
 */
@Component(service = Engine.class, property = Engine.ENGINE_NAME + "=" + TribuoEngine.NAME)
public class TribuoEngine implements Engine {
    static final String NAME = "tribuo";
    private static final int CANCEL_CHECK_ROWS = 1024;

    private final EngineInfo info;

    @Activate
    public TribuoEngine(BundleContext ctx) {
        this(ctx.getBundle().getVersion().toString());
    }

    /** For use outside OSGi (tests, tools, benchmarks). */
    public TribuoEngine(String version) {
        this.info = new EngineInfo(NAME, version, Arrays.stream(Algorithm.values()).map(Algorithm::info).toList());
    }

    @Override
    public EngineInfo info() {
        return info;
    }

    @Override
    public Model train(TrainingRequest request, TrainingContext context) throws EngineException {
        long started = System.nanoTime();
        // an IllegalArgumentException naming the task and the choices, or an InvalidFieldException naming the hyperparameter
        Map<String, Number> params = new LinkedHashMap<>();
        info.resolve(request.algorithm(), request.task(), request.hyperparameters()).forEach((k, v) -> params.put(k, (Number) v));
        Algorithm algorithm = Algorithm.find(request.algorithm(), request.task()).orElseThrow();
        Schema schema = request.data().schema();
        Field target = request.targetField();
        // For clustering a target, when given, is left out of the features (e.g. to measure purity later).
        Schema inputs = new Schema(schema.fields().stream().filter(f -> target == null || !f.name().equals(target.name())).toList());
        Features features = new Features(inputs);
        checkCancelled(context);
        context.progress(0, 3, Map.of());

        return switch (request.task()) {
            case CLASSIFICATION -> fit(request, context, algorithm, params, features, target, new LabelFactory(),
                    v -> new Label(String.valueOf(v)), null, started);
            case REGRESSION -> {
                // a linear model learns a standardised target (SGD on a target in the thousands diverges with the
                // default learning rate) and scales its predictions back; trees split on any scale
                double[] scaling = algorithm.linear() ? targetScaling(request, target, context) : null;
                double mean = scaling == null ? 0 : scaling[0];
                double scale = scaling == null ? 1 : scaling[1];
                yield fit(request, context, algorithm, params, features, target, new RegressionFactory(),
                        v -> new Regressor(target.name(), (((Number) v).doubleValue() - mean) / scale), scaling, started);
            }
            case CLUSTERING -> fit(request, context, algorithm, params, features, null, new ClusteringFactory(),
                    v -> ClusteringFactory.UNASSIGNED_CLUSTER_ID, null, started);
        };
    }

    /** The target's mean and standard deviation (1 when it does not vary), over the rows that have one. */
    private static double[] targetScaling(TrainingRequest request, Field target, TrainingContext context) throws EngineException {
        int t = request.data().schema().indexOf(target.name());
        long n = 0;
        double mean = 0;
        double m2 = 0;
        try (RowCursor cursor = request.data().open()) {
            while (cursor.hasNext()) {
                if (n % CANCEL_CHECK_ROWS == 0) {
                    checkCancelled(context);
                }
                if (cursor.next().get(t) instanceof Number y && !Double.isNaN(y.doubleValue())) {
                    double d = y.doubleValue() - mean; // Welford: one pass, no cancellation on large values
                    mean += d / ++n;
                    m2 += d * (y.doubleValue() - mean);
                }
            }
        }
        double sd = n > 1 ? Math.sqrt(m2 / (n - 1)) : 0;
        return new double[] {mean, sd > 0 ? sd : 1};
    }

    private <T extends Output<T>> Model fit(TrainingRequest request, TrainingContext context, Algorithm algorithm,
                                            Map<String, Number> params, Features features, Field target,
                                            OutputFactory<T> factory, Function<Object, T> outputOf, double[] targetScaling,
                                            long started)
            throws EngineException {
        TrainingData<T> data = new TrainingData<>(new SimpleDataSourceProvenance("Cogwork training data", factory), factory);
        Schema schema = request.data().schema();
        int t = target == null ? -1 : schema.indexOf(target.name());
        List<String> numeric = features.numericFeatureNames();
        int[] numericIdx = numeric.stream().mapToInt(schema::indexOf).toArray();
        double[] min = new double[numericIdx.length];
        double[] max = new double[numericIdx.length];
        Arrays.fill(min, Double.POSITIVE_INFINITY);
        Arrays.fill(max, Double.NEGATIVE_INFINITY);
        long[] count = new long[numericIdx.length];
        double[] mean = new double[numericIdx.length];
        double[] m2 = new double[numericIdx.length];
        long rows = 0;
        long skipped = 0;
        try (RowCursor cursor = request.data().open()) {
            while (cursor.hasNext()) {
                if (++rows % CANCEL_CHECK_ROWS == 0) {
                    checkCancelled(context);
                }
                Row row = cursor.next();
                Object y = t < 0 ? null : row.get(t);
                if (t >= 0 && (y == null || (y instanceof Double d && d.isNaN()))) {
                    skipped++;
                    continue;
                }
                var example = features.encode(row, outputOf.apply(y));
                if (example.size() == 0) {
                    skipped++; // Tribuo cannot learn from a row whose features are all missing
                    continue;
                }
                data.add(example);
                for (int k = 0; k < numericIdx.length; k++) {
                    if (row.get(numericIdx[k]) instanceof Number n && !Double.isNaN(n.doubleValue())) {
                        double x = n.doubleValue();
                        min[k] = Math.min(min[k], x);
                        max[k] = Math.max(max[k], x);
                        double d = x - mean[k]; // Welford
                        mean[k] += d / ++count[k];
                        m2[k] += d * (x - mean[k]);
                    }
                }
            }
        }
        data.seal();
        if (data.size() == 0) {
            throw new IllegalArgumentException(target == null ? "no rows with features to learn from"
                    : "target '" + target.name() + "' has no values to learn from");
        }
        List<String> labels = List.of();
        if (request.task() == Task.CLASSIFICATION) {
            labels = List.copyOf(new TreeSet<>(data.getOutputs().stream().map(o -> ((Label) o).getLabel()).toList()));
            if (labels.size() < 2) {
                throw new IllegalArgumentException("target '" + target.name() + "' has a single class '" + labels.get(0)
                        + "': classification needs at least two");
            }
        }
        if (algorithm == Algorithm.KMEANS && params.get("centroids").intValue() > data.size()) {
            throw new IllegalArgumentException("centroids must be <= the number of rows (" + data.size() + "), was "
                    + params.get("centroids"));
        }
        if (algorithm.forest() && !params.containsKey(Algorithm.Param.FOREST_FRACTION_FEATURES.name())) {
            params.put(Algorithm.Param.FOREST_FRACTION_FEATURES.name(),
                    Algorithm.forestFraction(request.task(), data.getFeatureMap().size()));
        }
        context.progress(1, 3, Map.of("rows", (double) data.size()));

        if (algorithm.trees()) {
            return trees(request, context, algorithm, params, data, labels, features, target, skipped, started);
        }
        Trainer<T> trainer = trainer(algorithm, params, request.seed());
        List<String> standardised = new ArrayList<>();
        if (algorithm.linear()) {
            Map<String, List<Transformation>> perFeature = new LinkedHashMap<>();
            for (int k = 0; k < numeric.size(); k++) {
                // a constant column has no spread to divide by; a standardised one (the pipeline's standardize) would
                // be copied and divided by 1: Tribuo's transformation copies every example (a fifth of a small job)
                if (max[k] > min[k] && !standardised(count[k], mean[k], m2[k])) {
                    perFeature.put(numeric.get(k), List.of(new MeanStdDevTransformation()));
                    standardised.add(numeric.get(k));
                }
            }
            if (!perFeature.isEmpty()) {
                trainer = new TransformTrainer<>(trainer, new TransformationMap(perFeature));
            }
        }
        checkCancelled(context);
        long fitStart = System.nanoTime();
        org.tribuo.Model<T> model;
        try {
            model = trainer.train(data);
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new EngineException("Tribuo " + algorithm.algorithmName + " training failed: " + e.getMessage(), e);
        }
        long fitMillis = (System.nanoTime() - fitStart) / 1_000_000;
        checkCancelled(context);

        Map<String, Object> provenance = provenance(params, request.seed(), data, skipped);
        if (algorithm.linear()) {
            provenance.put("standardisedFeatures", standardised);
        }
        if (targetScaling != null) {
            provenance.put(TribuoModel.TARGET_MEAN, targetScaling[0]);
            provenance.put(TribuoModel.TARGET_SCALE, targetScaling[1]);
        }
        provenance.put("trainingMillis", fitMillis);
        provenance.put("trainer", Provenances.toPlain(trainer.getProvenance()));
        provenance.put("tribuoModel", Provenances.toPlain(model.getProvenance()));
        ModelDescriptor descriptor = new ModelDescriptor(NAME, info.version(), algorithm.algorithmName, request.task(),
                features.schema(), request.task() == Task.CLUSTERING ? null : target.name(), labels, provenance);
        context.progress(3, 3, Map.of("rows", (double) data.size(),
                "seconds", (System.nanoTime() - started) / 1e9));
        return new TribuoModel(descriptor, model);
    }

    /** What every model's provenance says of its training: settings, seed, rows and features. */
    private static Map<String, Object> provenance(Map<String, Number> params, long seed, MutableDataset<?> data, long skipped) {
        Map<String, Object> provenance = new LinkedHashMap<>();
        provenance.put("tribuoVersion", Tribuo.VERSION);
        provenance.put("parameters", params);
        provenance.put("seed", seed);
        provenance.put("trainedRows", data.size());
        provenance.put("skippedRows", skipped);
        provenance.put("features", data.getFeatureMap().size());
        return provenance;
    }

    /**
     * A random forest, or a CART tree (a forest of one tree on all rows, once each), grown by ForestLearner on the
     * examples as encoded for Tribuo and kept in its flat form.
     */
    private Model trees(TrainingRequest request, TrainingContext context, Algorithm algorithm, Map<String, Number> params,
                        MutableDataset<?> data, List<String> labels, Features features, Field target, long skipped,
                        long started) throws EngineException {
        checkCancelled(context);
        long fitStart = System.nanoTime();
        boolean forest = algorithm.forest();
        ForestLearner.Settings settings = new ForestLearner.Settings(forest ? params.get("numTrees").intValue() : 1,
                params.get("maxDepth").intValue(), params.get(Algorithm.Param.FRACTION_FEATURES.name()).doubleValue(),
                forest ? 1.0 : params.get("minChildWeight").doubleValue(), forest, request.seed());
        Map<String, Object> provenance = provenance(params, request.seed(), data, skipped);
        int rows = data.size();
        ForestLearner learner = ForestLearner.of(data, labels, settings);
        data.clear(); // the learner holds the rows as ranks now: the examples go before the trees grow (data held once)
        FlatForest trees = learner.grow(context);
        long fitMillis = (System.nanoTime() - fitStart) / 1_000_000;
        provenance.put("trainingMillis", fitMillis);
        String impurity = algorithm.task == Task.CLASSIFICATION ? "Gini impurity" : "squared error";
        provenance.put("learner", forest ? "Cogwork's random forest (ForestLearner): bootstrap samples, exact CART splits ("
                + impurity + "), at least one row per leaf" : "Cogwork's CART (ForestLearner): one tree on all rows, exact splits ("
                + impurity + ")");
        if (forest) {
            provenance.put("treeSeeds", "seed + " + ForestLearner.TREE_SEED_STEP + " * tree");
        }
        ModelDescriptor descriptor = new ModelDescriptor(NAME, info.version(), algorithm.algorithmName, request.task(),
                features.schema(), target.name(), labels, provenance);
        context.progress(3, 3, Map.of("rows", (double) rows, "seconds", (System.nanoTime() - started) / 1e9));
        return TribuoModel.forest(descriptor, trees);
    }

    /** Whether values already have mean 0 and standard deviation 1 (within 10^-3), as the standardize transform leaves them. */
    static boolean standardised(long count, double mean, double m2) {
        if (count < 2) {
            return false;
        }
        double sd = Math.sqrt(m2 / (count - 1));
        return Math.abs(mean) <= 1e-3 && Math.abs(sd - 1) <= 1e-3;
    }

    @SuppressWarnings("unchecked")
    private static <T extends Output<T>> Trainer<T> trainer(Algorithm a, Map<String, Number> p, long seed) {
        Trainer<?> trainer = switch (a) {
            case LOGISTIC -> new org.tribuo.classification.sgd.linear.LinearSGDTrainer(new LogMulticlass(),
                    new AdaGrad(p.get("learningRate").doubleValue(), 0.1), p.get("epochs").intValue(), -1,
                    p.get("minibatchSize").intValue(), seed);
            case LIBLINEAR_LOGISTIC -> new LibLinearClassificationTrainer(new LinearClassificationType(LinearClassificationType.LinearType.L2R_LR),
                    p.get("C").doubleValue(), p.get("maxIterations").intValue(), p.get("tolerance").doubleValue(), seed);
            case LINEAR -> new org.tribuo.regression.sgd.linear.LinearSGDTrainer(new SquaredLoss(),
                    new AdaGrad(p.get("learningRate").doubleValue(), 0.1), p.get("epochs").intValue(), -1,
                    p.get("minibatchSize").intValue(), seed);
            case CART_CLASSIFICATION, CART_REGRESSION, FOREST_CLASSIFICATION, FOREST_REGRESSION ->
                    throw new IllegalStateException("trees grow in ForestLearner");
            case KMEANS -> new KMeansTrainer(p.get("centroids").intValue(), p.get("iterations").intValue(), new L2Distance(),
                    KMeansTrainer.Initialisation.PLUSPLUS, 1, seed);
        };
        return (Trainer<T>) trainer;
    }

    private static void checkCancelled(TrainingContext context) throws EngineException {
        if (context.isCancelled()) {
            throw new EngineException("training cancelled");
        }
    }

    @Override
    public Model load(InputStream in) throws EngineException {
        ModelFormat.Loaded loaded = ModelFormat.read(in);
        return TribuoModel.of(loaded);
    }
}
