package org.cogwork.itests.faulty;

import java.io.InputStream;
import java.util.List;
import java.util.Map;
import org.cogwork.api.engine.AlgorithmInfo;
import org.cogwork.api.engine.Engine;
import org.cogwork.api.engine.EngineException;
import org.cogwork.api.engine.EngineInfo;
import org.cogwork.api.engine.Hyperparameter;
import org.cogwork.api.engine.Model;
import org.cogwork.api.engine.Task;
import org.cogwork.api.engine.TrainingContext;
import org.cogwork.api.engine.TrainingRequest;
import org.osgi.service.component.annotations.Component;

/**
 * An engine that misbehaves on purpose, for tests of the platform's fault handling: {@code fail} throws an
 * unchecked exception, {@code hang} ignores cancel and interrupts for {@code seconds} while holding
 * {@code megabytes} of memory, then gives up; {@code slow-load} trains a constant model whose loading takes
 * {@code loadSeconds}.
 */
@Component(service = Engine.class, property = Engine.ENGINE_NAME + "=" + FaultyEngine.NAME)
public class FaultyEngine implements Engine {
    static final String NAME = "faulty";

    private final EngineInfo info = new EngineInfo(NAME, "1.0.0", List.of(
            new AlgorithmInfo("fail", Task.CLASSIFICATION, "throws an IllegalStateException", List.of()),
            new AlgorithmInfo("hang", Task.CLASSIFICATION, "ignores cancel and interrupts, then fails", List.of(
                    Hyperparameter.integer("seconds", 20, "how long it hangs").atLeast(0).atMost(3_600),
                    Hyperparameter.integer("megabytes", 64, "memory it holds while it hangs").atLeast(0).atMost(4_096))),
            new AlgorithmInfo("slow-load", Task.CLASSIFICATION, "answers the first label; loading the model takes loadSeconds",
                    List.of(Hyperparameter.integer("loadSeconds", 3, "how long loading the trained model takes").atLeast(0).atMost(600)))));

    @Override
    public EngineInfo info() {
        return info;
    }

    @Override
    public Model train(TrainingRequest request, TrainingContext context) throws EngineException {
        if (request.algorithm().equals("fail")) {
            throw new IllegalStateException("the faulty engine fails on purpose");
        }
        if (request.algorithm().equals("slow-load")) {
            return slowLoad(request);
        }
        context.progress(1, 2, Map.of()); // tells a test that the engine has the job now
        long seconds = ((Number) request.hyperparameters().getOrDefault("seconds", 20)).longValue();
        int megabytes = ((Number) request.hyperparameters().getOrDefault("megabytes", 64)).intValue();
        byte[][] held = new byte[megabytes][];
        for (int i = 0; i < megabytes; i++) {
            held[i] = new byte[1 << 20];
        }
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        boolean interrupted = false;
        while (System.nanoTime() < end) {
            try {
                Thread.sleep(Math.max(1, (end - System.nanoTime()) / 1_000_000));
            } catch (InterruptedException e) {
                interrupted = true; // ignored on purpose
            }
        }
        throw new EngineException("the faulty engine hung for " + seconds + " s (" + held.length + " MB held"
                + (interrupted ? ", interrupts ignored" : "") + ")");
    }

    private static Model slowLoad(TrainingRequest request) {
        java.util.TreeSet<String> labels = new java.util.TreeSet<>();
        int t = request.data().schema().indexOf(request.target());
        try (org.cogwork.api.data.RowCursor rows = request.data().open()) {
            rows.forEachRemaining(r -> {
                if (r.get(t) != null) {
                    labels.add(String.valueOf(r.get(t)));
                }
            });
        }
        List<org.cogwork.api.data.Field> features = new java.util.ArrayList<>(request.data().schema().fields());
        features.remove(t);
        int seconds = ((Number) request.hyperparameters().getOrDefault("loadSeconds", 3)).intValue();
        return new SlowLoadModel(new org.cogwork.api.data.Schema(features), request.target(), List.copyOf(labels), seconds);
    }

    /** Only {@code slow-load} models exist (the other algorithms never finish training); loading takes their time. */
    @Override
    public Model load(InputStream in) throws EngineException {
        try {
            return SlowLoadModel.load(in);
        } catch (java.io.IOException | RuntimeException e) {
            throw new EngineException("not a slow-load model: " + e);
        }
    }
}
