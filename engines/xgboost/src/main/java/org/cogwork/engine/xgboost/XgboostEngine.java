package org.cogwork.engine.xgboost;

import java.io.InputStream;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.cogwork.api.data.Field;
import org.cogwork.api.data.Row;
import org.cogwork.api.data.RowCursor;
import org.cogwork.api.data.Schema;
import org.cogwork.api.engine.Engine;
import org.cogwork.api.engine.EngineException;
import org.cogwork.api.engine.EngineInfo;
import org.cogwork.api.engine.Model;
import org.cogwork.api.engine.Task;
import org.cogwork.api.engine.TrainingContext;
import org.cogwork.api.engine.TrainingRequest;
import org.cogwork.engine.xgboost.Algorithm.Settings;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

/**
 * Gradient-boosted trees with XGBoost on CPU. XGBoost and its native library live in the native host bundle
 * ({@code org.cogwork.xgboost.native}), which loads libxgboost4j once per JVM on the first training or load; this
 * adapter holds no native state of its own beyond the models it hands out, so it can be updated or removed while
 * Cogwork runs (the platform closes its models and reloads them from their bytes through the new adapter).
 *
 * <p>The training rows are read twice and never held as rows: once to lay out the columns (categorical levels, vector
 * dimensions) and the labels, once to encode them straight into XGBoost's float matrix. With early stopping a
 * validation part is drawn from the training rows with the job's seed; XGBoost's row and column sampling uses the
 * seed too, so the same request on the same data gives the same model.
 */
@Component(service = Engine.class, property = Engine.ENGINE_NAME + "=" + XgboostEngine.NAME)
public class XgboostEngine implements Engine {
    static final String NAME = "xgboost";
    private static final int CANCEL_CHECK_ROWS = 1024;
    /** Whether this adapter has asked the native host for XGBoost yet (until then nothing of XGBoost is loaded). */
    private static volatile boolean xgboostRequested;
    private final EngineInfo info;

    @Activate
    public XgboostEngine(BundleContext ctx) {
        this(ctx.getBundle().getVersion().toString());
    }

    /** For use outside OSGi (tests, tools, benchmarks). */
    public XgboostEngine(String version) {
        this.info = new EngineInfo(NAME, version, Arrays.stream(Algorithm.values()).map(Algorithm::info).toList());
    }

    @Override
    public EngineInfo info() {
        return info;
    }

    @Override
    public Model train(TrainingRequest request, TrainingContext context) throws EngineException {
        info.algorithm(request.algorithm(), request.task()); // an IllegalArgumentException naming the task and the choices
        Algorithm algorithm = Algorithm.find(request.algorithm(), request.task()).orElseThrow();
        Settings settings = Settings.resolve(info, algorithm, request.hyperparameters());
        Field target = request.targetField();
        if (target == null) {
            throw new IllegalArgumentException("the xgboost engine needs a target column");
        }
        Schema schema = request.data().schema();
        int t = schema.indexOf(target.name());
        boolean classification = request.task() == Task.CLASSIFICATION;
        Schema features = new Schema(schema.fields().stream().filter(f -> !f.name().equals(target.name())).toList());

        // first pass: the layout and the labels
        Columns.Builder layout = new Columns.Builder(features);
        TreeSet<String> classes = new TreeSet<>();
        int n = 0;
        try (RowCursor cursor = request.data().open()) {
            while (cursor.hasNext()) {
                Row row = cursor.next();
                if ((n & (CANCEL_CHECK_ROWS - 1)) == 0) {
                    checkCancelled(context);
                }
                Object y = row.get(t);
                if (missing(y)) {
                    continue;
                }
                if (classification) {
                    classes.add(String.valueOf(y));
                } else if (!(y instanceof Number)) {
                    throw new IllegalArgumentException("regression target '" + target.name() + "' holds a "
                            + y.getClass().getSimpleName() + " (" + y + ")");
                }
                layout.add(row);
                n++;
            }
        }
        if (n == 0) {
            throw new IllegalArgumentException("target '" + target.name() + "' has no values to learn from");
        }
        List<String> labels = classification ? List.copyOf(classes) : List.of();
        if (classification && labels.size() < 2) {
            throw new IllegalArgumentException("target '" + target.name() + "' has a single class '" + labels.get(0)
                    + "': classification needs at least two");
        }
        Columns columns = layout.build();

        // second pass: straight into the matrix
        int width = columns.width();
        if ((long) n * width > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException(n + " rows of " + width + " features are more than one matrix holds ("
                    + Integer.MAX_VALUE + " values)");
        }
        float[] x = new float[n * width];
        float[] y = new float[n];
        int r = 0;
        try (RowCursor cursor = request.data().open()) {
            while (cursor.hasNext() && r < n) {
                Row row = cursor.next();
                if ((r & (CANCEL_CHECK_ROWS - 1)) == 0) {
                    checkCancelled(context);
                }
                Object v = row.get(t);
                if (missing(v)) {
                    continue;
                }
                columns.encode(row, x, r * width);
                y[r] = classification ? labels.indexOf(String.valueOf(v)) : ((Number) v).floatValue();
                r++;
            }
        }
        if (r != n) {
            throw new EngineException("the training data changed between two reads (" + n + " rows, then " + r + ")");
        }
        Boosting.Matrix all = new Boosting.Matrix(x, y, n, width);
        Boosting.Matrix train = all;
        Boosting.Matrix valid = null;
        if (settings.earlyStoppingRounds() > 0) {
            int held = (int) Math.round(n * settings.validationFraction());
            if (held < 1 || held >= n) {
                throw new IllegalArgumentException("early stopping needs a validation part and training rows: "
                        + n + " rows with validationFraction " + settings.validationFraction() + " give " + held);
            }
            int[] order = shuffled(n, request.seed());
            valid = all.rows(Arrays.copyOfRange(order, 0, held));
            int[] rest = Arrays.copyOfRange(order, held, n);
            Arrays.sort(rest); // the training part in the data's order: only the validation draw depends on the seed
            train = all.rows(rest);
        }
        xgboostRequested = true;
        try {
            return Boosting.fit(info.version(), algorithm, request, context, settings, columns, train, valid, labels);
        } catch (IllegalStateException e) {
            throw new EngineException("XGBoost is not available: " + e.getMessage(), e); // the native host could not load it
        }
    }

    @Override
    public Model load(InputStream in) throws EngineException {
        ModelFile.Saved saved = ModelFile.read(in);
        xgboostRequested = true;
        try {
            return Boosting.load(saved);
        } catch (IllegalStateException e) {
            throw new EngineException("XGBoost is not available: " + e.getMessage(), e);
        }
    }

    static boolean xgboostRequested() {
        return xgboostRequested;
    }

    static void checkCancelled(TrainingContext context) throws EngineException {
        if (context.isCancelled()) {
            throw new EngineException("training was cancelled");
        }
    }

    private static boolean missing(Object y) {
        return y == null || (y instanceof Double d && d.isNaN()) || (y instanceof Float f && f.isNaN());
    }

    /** 0..n-1 in an order drawn with {@code seed} (Fisher-Yates). */
    private static int[] shuffled(int n, long seed) {
        int[] order = new int[n];
        Arrays.setAll(order, i -> i);
        Random random = new Random(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int tmp = order[i];
            order[i] = order[j];
            order[j] = tmp;
        }
        return order;
    }
}
