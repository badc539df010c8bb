package org.cogwork.engine.baseline;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.cogwork.api.data.DataType;
import org.cogwork.api.data.Field;
import org.cogwork.api.data.Row;
import org.cogwork.api.data.RowCursor;
import org.cogwork.api.data.Schema;
import org.cogwork.api.engine.AlgorithmInfo;
import org.cogwork.api.engine.Engine;
import org.cogwork.api.engine.EngineException;
import org.cogwork.api.engine.EngineInfo;
import org.cogwork.api.engine.Model;
import org.cogwork.api.engine.Task;
import org.cogwork.api.engine.TrainingContext;
import org.cogwork.api.engine.TrainingRequest;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

/**
 * Baseline models: the most frequent class (with the class frequencies as scores) and the mean of the
 * target. They ignore the features, which is the point: a model that does not beat them has learnt nothing.
 */
@Component(service = Engine.class, property = Engine.ENGINE_NAME + "=" + BaselineEngine.NAME)
public class BaselineEngine implements Engine {
    static final String NAME = "baseline";
    static final String MAJORITY = "majority";
    static final String MEAN = "mean";

    private final EngineInfo info;

    @Activate
    public BaselineEngine(BundleContext ctx) {
        this(ctx.getBundle().getVersion().toString());
    }

    /** For use outside OSGi (tests, tools). */
    public BaselineEngine(String version) {
        this.info = new EngineInfo(NAME, version, List.of(
                new AlgorithmInfo(MAJORITY, Task.CLASSIFICATION, "predicts the most frequent class", List.of()),
                new AlgorithmInfo(MEAN, Task.REGRESSION, "predicts the mean of the target", List.of())));
    }

    @Override
    public EngineInfo info() {
        return info;
    }

    @Override
    public Model train(TrainingRequest request, TrainingContext context) throws EngineException {
        // no hyperparameters: any name given is refused (InvalidFieldException), as is an algorithm it lacks
        info.resolve(request.algorithm(), request.task(), request.hyperparameters());
        Schema schema = request.data().schema();
        Field target = schema.require(request.target());
        Schema features = new Schema(schema.fields().stream().filter(f -> !f.name().equals(target.name())).toList());
        int t = schema.indexOf(target.name());
        if (request.task() == Task.REGRESSION && !target.type().isNumeric()) {
            throw new IllegalArgumentException("regression target '" + target.name() + "' must be numeric, is " + target.type());
        }
        Map<String, Long> counts = new TreeMap<>();
        double sum = 0;
        long n = 0;
        context.progress(0, 1, Map.of());
        try (RowCursor rows = request.data().open()) {
            while (rows.hasNext()) {
                if (context.isCancelled()) {
                    throw new EngineException("training cancelled");
                }
                Object v = rows.next().get(t);
                if (v == null) {
                    continue;
                }
                n++;
                if (request.task() == Task.REGRESSION) {
                    sum += ((Number) v).doubleValue();
                } else {
                    counts.merge(String.valueOf(v), 1L, Long::sum);
                }
            }
        }
        if (n == 0) {
            throw new IllegalArgumentException("target '" + target.name() + "' has no values to learn from");
        }
        context.progress(1, 1, Map.of());
        if (request.task() == Task.REGRESSION) {
            return BaselineModel.mean(info, features, target.name(), sum / n, n);
        }
        Map<String, Double> freq = new TreeMap<>();
        for (Map.Entry<String, Long> e : counts.entrySet()) {
            freq.put(e.getKey(), e.getValue() / (double) n);
        }
        return BaselineModel.majority(info, features, target.name(), freq, n);
    }

    @Override
    public Model load(InputStream in) throws EngineException {
        Properties p = new Properties();
        try {
            p.load(new InputStreamReader(in, StandardCharsets.UTF_8));
        } catch (IOException | IllegalArgumentException e) {
            throw new EngineException("not a baseline model: " + e.getMessage(), e);
        }
        if (!NAME.equals(p.getProperty("engine"))) {
            throw new EngineException("not a baseline model (engine=" + p.getProperty("engine") + ")");
        }
        try {
            return BaselineModel.fromProperties(info, p);
        } catch (RuntimeException e) {
            throw new EngineException("corrupt baseline model: " + e.getMessage(), e);
        }
    }

    /** Values of a feature column as the model expects them; a row must carry every feature column. */
    /** The model ignores its features, but a row must still carry each of them with a value of its type. */
    static void checkRow(Schema features, Row row) {
        for (Field f : features.fields()) {
            int i = row.schema().indexOf(f.name());
            if (i < 0) {
                throw new IllegalArgumentException("missing feature '" + f.name() + "'");
            }
            Object v = row.get(i);
            boolean fits = v == null || switch (f.type()) {
                case INT, DOUBLE -> v instanceof Number;
                case BOOLEAN -> v instanceof Boolean;
                case CATEGORICAL, STRING, TEXT -> v instanceof String;
                default -> true;
            };
            if (!fits) {
                throw new IllegalArgumentException("column '" + f.name() + "' is " + f.type() + " but holds a "
                        + v.getClass().getSimpleName() + " (" + v + ")");
            }
        }
    }

    static DataType typeOf(String s) {
        return DataType.valueOf(s);
    }
}
