package org.cogwork.engine.djl;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.locks.ReentrantLock;
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
import org.cogwork.djl.host.NativeHost;
import org.cogwork.api.problem.InvalidFieldException;
import org.cogwork.api.security.DataRoots;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Deep learning with DJL and PyTorch on CPU. DJL and libtorch live in the native host bundle
 * ({@code org.cogwork.djl.native}), which loads PyTorch once per JVM on the first training or load; this adapter
 * holds no native state of its own, so it can be updated or removed while Cogwork runs.
 *
 * <p>Training is serialised: PyTorch's random seed is global to the JVM, and a seeded run must give the same
 * model. Progress is reported per epoch; cancellation and time limits are checked between batches.
 */
@Component(service = Engine.class, property = Engine.ENGINE_NAME + "=" + DjlEngine.NAME)
public class DjlEngine implements Engine {
    static final String NAME = "djl";
    private static final ReentrantLock TRAINING = new ReentrantLock();
    /** Whether this adapter has asked the native host for PyTorch yet (until then nothing of DJL is loaded). */
    private static volatile boolean pytorchRequested;
    private final EngineInfo info;
    /** Where TorchScript files may be read from. */
    private final DataRoots roots;

    @Activate
    public DjlEngine(BundleContext ctx, @Reference DataRoots roots) {
        this(ctx.getBundle().getVersion().toString(), roots);
    }

    /** For use outside OSGi (tests, tools, benchmarks): TorchScript files under the working directory only. */
    public DjlEngine(String version) {
        this(version, DataRoots.of(List.of(Path.of(""))));
    }

    public DjlEngine(String version, DataRoots roots) {
        this.info = new EngineInfo(NAME, version, Arrays.stream(Algorithm.values()).map(Algorithm::info).toList());
        this.roots = roots;
    }

    @Override
    public EngineInfo info() {
        return info;
    }

    /**
     * The declared checks (names, types, bounds, a required path), then for TorchScript the file itself: inside the data
     * roots, an existing regular file, not too big.
     */
    @Override
    public void checkHyperparameters(String algorithm, Task task, Map<String, Object> hyperparameters) {
        Engine.super.checkHyperparameters(algorithm, task, hyperparameters);
        Algorithm a = Algorithm.find(algorithm, task).orElseThrow();
        if (a.torchScript()) {
            Networks.checkScript(a, (String) hyperparameters.get("path"), roots);
        }
    }

    @Override
    public Model train(TrainingRequest request, TrainingContext context) throws EngineException {
        info.algorithm(request.algorithm(), request.task()); // an IllegalArgumentException naming the task and the choices
        Algorithm algorithm = Algorithm.find(request.algorithm(), request.task()).orElseThrow();
        Params params = new Params(info, algorithm, request.hyperparameters());
        Schema schema = request.data().schema();
        Field target = request.targetField();
        if (target == null) {
            throw new IllegalArgumentException("the djl engine needs a target column");
        }
        Schema features = new Schema(schema.fields().stream().filter(f -> !f.name().equals(target.name())).toList());
        List<Row> rows = rowsWithTarget(request, target, context);
        if (rows.isEmpty()) {
            throw new IllegalArgumentException("target '" + target.name() + "' has no values to learn from");
        }
        int t = schema.indexOf(target.name());
        List<String> labels = List.of();
        if (request.task() == Task.CLASSIFICATION) {
            String given = algorithm.torchScript() ? params.string("labels") : null;
            labels = given != null ? Arrays.stream(given.split(",")).map(String::trim).toList()
                    : List.copyOf(new TreeSet<>(rows.stream().map(r -> String.valueOf(r.get(t))).toList()));
            if (labels.size() < 2) {
                throw new IllegalArgumentException("target '" + target.name() + "' has a single class '" + labels.get(0)
                        + "': classification needs at least two");
            }
        }
        pytorch(); // loads libtorch on first use, with the host's class loader
        TRAINING.lock();
        try {
            List<String> classes = labels;
            String version = info.version();
            return NativeHost.call(() -> algorithm.torchScript()
                    ? Networks.importTorchScript(version, algorithm, request, params, features, rows, target, classes, roots)
                    : Networks.fit(version, request, context, algorithm, params, features, rows, t, classes));
        } catch (EngineException | IllegalArgumentException | InvalidFieldException e) {
            throw e; // the caller's mistake, said as it was
        } catch (Exception e) {
            throw new EngineException("DJL " + algorithm.algorithmName + " training failed: " + e.getMessage(), e);
        } finally {
            TRAINING.unlock();
        }
    }

    private static List<Row> rowsWithTarget(TrainingRequest request, Field target, TrainingContext context)
            throws EngineException {
        int t = request.data().schema().indexOf(target.name());
        List<Row> rows = new ArrayList<>();
        try (RowCursor cursor = request.data().open()) {
            while (cursor.hasNext()) {
                Row row = cursor.next();
                if ((rows.size() & 1023) == 0) {
                    checkCancelled(context);
                }
                Object y = row.get(t);
                if (y != null && !(y instanceof Double d && d.isNaN())) {
                    rows.add(row);
                }
            }
        }
        return rows;
    }

    @Override
    public Model load(InputStream in) throws EngineException {
        ModelFile.Header file = ModelFile.read(in);
        try {
            pytorch();
            return Networks.load(file, info.version());
        } catch (EngineException e) {
            throw e;
        } catch (Exception e) {
            throw new EngineException("DJL model could not be loaded: " + e.getMessage(), e);
        }
    }

    private static void pytorch() {
        pytorchRequested = true;
        NativeHost.pytorch();
    }

    static boolean pytorchRequested() {
        return pytorchRequested;
    }

    static void checkCancelled(TrainingContext context) throws EngineException {
        if (context.isCancelled()) {
            throw new EngineException("training was cancelled");
        }
    }
}
