package org.cogwork.engine.tribuo;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.cogwork.api.engine.EngineException;
import org.cogwork.api.engine.TrainingContext;
import org.tribuo.Dataset;
import org.tribuo.Output;
import org.tribuo.Trainer;
import org.tribuo.ensemble.EnsembleCombiner;
import org.tribuo.ensemble.EnsembleModel;
import org.tribuo.ensemble.WeightedEnsembleModel;

/**
 * A random forest trained in parts: Tribuo's RandomForestTrainer grows its trees one after another on one thread
 * and says nothing until the last (59 s for 200 trees on credit_data, no progress, no cancel). Here the trees are
 * grown in {@link #PARTS} forests of a tenth of them each, on as many threads as there are cores, each part with its
 * own seed derived from the job's (so the same seed still gives the same model, whatever the threads' timing); the
 * job reports the trees grown so far and stops between parts when cancelled. The parts' trees are joined into one
 * ensemble with the same combiner Tribuo's forest uses, which saves, loads and predicts (FlatForest) as before.
 */
final class ForestTraining {
    static final int PARTS = 10;
    /** Part p grows its trees with seed {@code seed + PART_SEED_STEP * p}. */
    static final long PART_SEED_STEP = 1_000_003L;

    private ForestTraining() {
    }

    /** {@code part} makes the trainer of a part: its number of trees and its seed. */
    interface PartTrainer<T extends Output<T>> {
        Trainer<T> make(int trees, long seed);
    }

    static <T extends Output<T>> org.tribuo.Model<T> train(Dataset<T> data, int trees, long seed, PartTrainer<T> part,
                                                           EnsembleCombiner<T> combiner, TrainingContext context) throws EngineException {
        int parts = Math.min(PARTS, trees);
        int threads = Math.max(1, Math.min(parts, Runtime.getRuntime().availableProcessors()));
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "cogwork-forest");
            t.setDaemon(true);
            return t;
        });
        AtomicInteger grown = new AtomicInteger();
        Object reporting = new Object(); // parts finish on several threads; the context hears one report at a time
        List<Future<org.tribuo.Model<T>>> futures = new ArrayList<>();
        try {
            for (int p = 0; p < parts; p++) {
                int size = trees / parts + (p < trees % parts ? 1 : 0);
                Trainer<T> trainer = part.make(size, seed + PART_SEED_STEP * p);
                futures.add(pool.submit(() -> {
                    if (context.isCancelled()) {
                        return null;
                    }
                    org.tribuo.Model<T> m = trainer.train(data);
                    int now = grown.addAndGet(size);
                    synchronized (reporting) {
                        context.progress(now, trees, Map.of("trees", (double) now));
                    }
                    return m;
                }));
            }
            List<org.tribuo.Model<T>> members = new ArrayList<>(trees);
            for (Future<org.tribuo.Model<T>> f : futures) {
                org.tribuo.Model<T> m = f.get();
                if (m == null || context.isCancelled()) {
                    throw new EngineException("training cancelled");
                }
                members.addAll(((EnsembleModel<T>) m).getModels());
            }
            return WeightedEnsembleModel.createEnsembleFromExistingModels("random-forest", members, combiner);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EngineException("training cancelled");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IllegalArgumentException || cause instanceof IllegalStateException) {
                throw new EngineException("Tribuo random-forest training failed: " + cause.getMessage(), cause);
            }
            throw new EngineException("Tribuo random-forest training failed: " + cause, cause);
        } finally {
            pool.shutdownNow();
        }
    }
}
