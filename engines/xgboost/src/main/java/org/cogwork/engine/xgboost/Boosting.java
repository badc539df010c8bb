package org.cogwork.engine.xgboost;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoost;
import ml.dmlc.xgboost4j.java.XGBoostError;
import org.cogwork.api.engine.EngineException;
import org.cogwork.api.engine.ModelDescriptor;
import org.cogwork.api.engine.Task;
import org.cogwork.api.engine.TrainingContext;
import org.cogwork.api.engine.TrainingRequest;
import org.cogwork.engine.xgboost.Algorithm.Settings;
import org.cogwork.xgboost.host.XGBoostHost;

/**
 * Everything of the XGBoost engine that touches XGBoost itself: the boosting loop and loading. Kept out of
 * {@link XgboostEngine} so that registering the engine service loads no XGBoost class (and Felix does not unpack the
 * native host's jars while Cogwork starts).
 *
 * <p>The loop is ours, one {@link Booster#update} per round, rather than {@link XGBoost#train}'s: it checks for
 * cancellation and reports progress between rounds, and decides early stopping on the validation part. A forest (one
 * round of many trees) is grown in parts instead ({@link ForestParts}).
 */
final class Boosting {
    /** Rounds between progress reports: each one evaluates the training loss. */
    private static final int REPORT_EVERY = 10;

    private Boosting() {
    }

    /** The encoded training data: {@code n} rows of {@code width} floats, and one target value per row. */
    record Matrix(float[] x, float[] y, int n, int width) {
        /** The rows at {@code indices}, in that order. */
        Matrix rows(int[] indices) {
            float[] xs = new float[indices.length * width];
            float[] ys = new float[indices.length];
            for (int i = 0; i < indices.length; i++) {
                System.arraycopy(x, indices[i] * width, xs, i * width, width);
                ys[i] = y[indices[i]];
            }
            return new Matrix(xs, ys, indices.length, width);
        }
    }

    static XgboostModel fit(String version, Algorithm algorithm, TrainingRequest request, TrainingContext context, Settings settings,
                            Columns columns, Matrix train, Matrix valid, List<String> labels) throws EngineException {
        String xgboostVersion = XGBoostHost.load();
        boolean classification = request.task() == Task.CLASSIFICATION;
        Map<String, Object> params = new HashMap<>();
        params.put("booster", "gbtree");
        params.put("tree_method", "hist");
        if (!classification) {
            params.put("objective", "reg:squarederror");
            params.put("eval_metric", "rmse");
        } else if (labels.size() == 2) {
            params.put("objective", "binary:logistic");
            params.put("eval_metric", "logloss");
        } else {
            params.put("objective", "multi:softprob");
            params.put("num_class", labels.size());
            params.put("eval_metric", "mlogloss");
        }
        params.put("max_depth", settings.maxDepth());
        params.put("eta", settings.eta());
        params.put("subsample", settings.subsample());
        params.put("colsample_bytree", settings.colsampleByTree());
        params.put("num_parallel_tree", settings.parallelTrees());
        params.put("colsample_bynode", settings.colsampleByNode(request.task(), train.width()));
        params.put("min_child_weight", settings.minChildWeight());
        params.put("lambda", settings.lambda());
        params.put("max_bin", settings.maxBin());
        params.put("nthread", settings.threads(train.n()));
        params.put("seed", request.seed());
        params.put("verbosity", 0);

        long started = System.nanoTime();
        DMatrix dtrain = null;
        DMatrix dvalid = null;
        Booster booster = null;
        boolean done = false;
        try {
            int rounds = settings.rounds();
            int per = settings.parallelTrees(); // progress counts trees: a forest is one round of many
            boolean forest = rounds == 1 && per > 1 && valid == null;
            dtrain = forest ? null : matrix(train); // a forest's parts make their own
            dvalid = valid == null ? null : matrix(valid);
            int patience = settings.earlyStoppingRounds();
            int best = -1;
            double bestLoss = Double.POSITIVE_INFINITY;
            String metric = (String) params.get("eval_metric");
            int total = rounds * per;
            context.progress(0, total, Map.of());
            int round = 0;
            if (forest) {
                // grown in parts on every core where XGBoost was left to choose one thread (small data), else one part
                // after another (XGBoost splitting each tree between its threads), joined into one booster
                int concurrent = settings.nthread() == 0 && settings.threads(train.n()) == 1 ? Runtime.getRuntime().availableProcessors() : 1;
                byte[] joined = ForestParts.join(ForestParts.train(params, train, per, request.seed(), concurrent, context));
                try {
                    booster = XGBoost.loadModel(joined);
                } catch (java.io.IOException e) {
                    throw new EngineException("XGBoost could not read the forest joined from its parts: " + reason(e), e);
                }
                booster.setParam("nthread", params.get("nthread")); // predicting, as a booster trained here would
                round = rounds;
            } else {
                // zero rounds: XGBoost.train only makes and configures the booster; the rounds run below
                booster = XGBoost.train(dtrain, params, 0, Map.of(), null, null);
            }
            for (; round < rounds; round++) {
                XgboostEngine.checkCancelled(context);
                booster.update(dtrain, round);
                Map<String, Double> metrics = new LinkedHashMap<>();
                if (dvalid != null) {
                    double loss = lastValue(booster.evalSet(new DMatrix[] {dvalid}, new String[] {"valid"}, round));
                    metrics.put("valid_" + metric, loss);
                    if (loss < bestLoss) {
                        bestLoss = loss;
                        best = round;
                    } else if (round - best >= patience) {
                        round++;
                        context.progress(round * per, total, metrics);
                        break;
                    }
                }
                if ((round + 1) % REPORT_EVERY == 0 || round + 1 == rounds) {
                    metrics.put("train_" + metric, lastValue(booster.evalSet(new DMatrix[] {dtrain}, new String[] {"train"}, round)));
                    context.progress((round + 1) * per, total, metrics);
                }
            }
            int kept = dvalid == null ? round : best + 1;
            long millis = (System.nanoTime() - started) / 1_000_000;

            Map<String, Object> provenance = new LinkedHashMap<>();
            provenance.put("xgboostVersion", xgboostVersion);
            provenance.put("parameters", settings.resolved(train.n()));
            provenance.put("objective", params.get("objective"));
            provenance.put("seed", request.seed());
            provenance.put("trainedRows", train.n());
            if (dvalid != null) {
                provenance.put("validationRows", valid.n());
                provenance.put("roundsRun", round);
                provenance.put("bestRound", kept);
                provenance.put("bestValidation" + Character.toUpperCase(metric.charAt(0)) + metric.substring(1), bestLoss);
            }
            provenance.put("rounds", kept);
            if (forest) {
                // the settings above describe the forest; its trees were grown in parts, each with its own seed
                provenance.put("forestParts", ForestParts.sizes(per).length);
                provenance.put("forestPartSeeds", "seed + " + ForestParts.SEED_STEP + " * part");
            }
            provenance.put("inputWidth", train.width());
            provenance.put("featureImportanceType", "gain");
            Trees.Learner learner = Trees.learner(booster); // read once: the trees to walk, and their gains
            provenance.put("featureImportance", importance(Trees.gain(learner, kept, train.width()), columns));
            provenance.put("trainingMillis", millis);
            ModelDescriptor descriptor = new ModelDescriptor(XgboostEngine.NAME, version, algorithm.name, request.task(),
                    columns.schema(), request.target(), labels, provenance);
            XgboostModel model = new XgboostModel(descriptor, columns, booster, kept, Trees.of(learner, kept));
            done = true;
            return model;
        } catch (XGBoostError e) {
            throw new EngineException("XGBoost training failed: " + reason(e), e);
        } finally {
            dispose(dtrain);
            dispose(dvalid);
            if (!done && booster != null) {
                booster.dispose();
            }
        }
    }

    /**
     * XGBoost's own words for a failure, without what only its developers read: its messages start with the time and
     * the C++ source line ({@code [17:13:32] /workspace/src/tree/updater_colmaker.cc:110: }) and end with a native
     * stack trace naming the library's temporary file.
     */
    static String reason(Throwable e) {
        String m = String.valueOf(e.getMessage());
        int trace = m.indexOf("\nStack trace:");
        if (trace >= 0) {
            m = m.substring(0, trace);
        }
        return m.replaceFirst("^\\[[0-9:]+\\] \\S+:[0-9]+: ", "").strip();
    }

    /** A saved model back in memory. */
    static XgboostModel load(ModelFile.Saved saved) throws EngineException {
        XGBoostHost.load();
        try {
            Booster booster = XGBoost.loadModel(saved.booster());
            booster.setParam("nthread", Runtime.getRuntime().availableProcessors());
            return new XgboostModel(saved.descriptor(), saved.columns(), booster, saved.rounds(), Trees.of(booster, saved.rounds()));
        } catch (XGBoostError | java.io.IOException e) {
            throw new EngineException("corrupt XGBoost model: XGBoost cannot read it: " + reason(e), e);
        }
    }

    static DMatrix matrix(Matrix m) throws XGBoostError {
        DMatrix d = new DMatrix(m.x(), m.n(), m.width(), Float.NaN); // NaN: missing, learnt by the trees
        d.setLabel(m.y());
        return d;
    }

    /**
     * Each slot's share of the total of XGBoost's "gain" importance (the average gain of the splits on it,
     * {@link Trees#gain}) over the trees the model predicts with, by slot name, largest first; slots no tree splits on
     * are left out.
     */
    static Map<String, Double> importance(double[] gain, Columns columns) {
        List<String> names = columns.slotNames();
        double total = 0;
        for (double g : gain) {
            total += Double.isNaN(g) ? 0 : g;
        }
        List<Map.Entry<String, Double>> entries = new ArrayList<>();
        for (int f = 0; f < gain.length; f++) {
            if (!Double.isNaN(gain[f])) {
                entries.add(Map.entry(names.get(f), total > 0 ? gain[f] / total : 0));
            }
        }
        entries.sort(Map.Entry.<String, Double>comparingByValue(Comparator.reverseOrder()).thenComparing(Map.Entry.comparingByKey()));
        Map<String, Double> out = new LinkedHashMap<>();
        entries.forEach(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }

    /** The value of the last metric in XGBoost's evaluation line, e.g. {@code [12]\tvalid-logloss:0.41235}. */
    private static double lastValue(String line) {
        return Double.parseDouble(line.substring(line.lastIndexOf(':') + 1).trim());
    }

    private static void dispose(DMatrix m) {
        if (m != null) {
            m.dispose();
        }
    }
}
