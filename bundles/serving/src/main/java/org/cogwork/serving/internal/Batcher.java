package org.cogwork.serving.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.cogwork.api.data.Row;
import org.cogwork.api.engine.Prediction;

/**
 * Dynamic batching for one model version: requests hand in their checked rows and wait; one thread takes the first
 * waiting request, gathers the requests arriving within {@code maxDelayMicros} up to {@code maxBatch} rows, and makes
 * one engine call for all of them. An engine call has a fixed cost (a native call, tensor set-up) that one call for
 * 16 rows pays once instead of 16 times. When a batch fails, each of its requests is run alone, so a bad row fails
 * only the request that sent it.
 */
final class Batcher implements AutoCloseable {
    private record Job(LoadedModel model, List<Row> rows, CompletableFuture<List<Prediction>> result) {
    }

    private static final Job STOP = new Job(null, List.of(), null);

    final ServingOptions options;
    private final BlockingQueue<Job> queue = new LinkedBlockingQueue<>();
    private final Thread worker;
    private volatile boolean closed;
    private final java.util.concurrent.atomic.AtomicLong calls = new java.util.concurrent.atomic.AtomicLong();

    Batcher(String key, ServingOptions options) {
        this.options = options;
        this.worker = new Thread(this::work, "cogwork-batch-" + key);
        worker.setDaemon(true);
        worker.start();
    }

    /** Predicts {@code rows} (checked by {@link LoadedModel#rows}) with {@code model}, held by the caller, in a batch. */
    List<Prediction> predict(LoadedModel model, List<Row> rows) {
        CompletableFuture<List<Prediction>> result = new CompletableFuture<>();
        Job job = new Job(model, rows, result);
        queue.add(job);
        if (closed && queue.remove(job)) { // handed in after the worker stopped: nobody else will run it
            return model.predictRows(rows);
        }
        try {
            return result.join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw e;
        }
    }

    private void work() {
        List<Job> batch = new ArrayList<>();
        try {
            while (true) {
                Job first = queue.take();
                if (first == STOP) {
                    break;
                }
                batch.add(first);
                int rows = first.rows().size();
                long deadline = System.nanoTime() + options.maxDelayMicros() * 1000L;
                boolean stop = false;
                while (rows < options.maxBatch()) {
                    long wait = deadline - System.nanoTime();
                    Job next = wait > 0 ? queue.poll(wait, TimeUnit.NANOSECONDS) : queue.poll();
                    if (next == null) {
                        break;
                    }
                    if (next == STOP) {
                        stop = true;
                        break;
                    }
                    batch.add(next);
                    rows += next.rows().size();
                }
                run(batch);
                batch.clear();
                if (stop) {
                    break;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // whatever is still queued runs alone: a caller never waits for ever
        batch.forEach(j -> run(List.of(j)));
        for (Job j = queue.poll(); j != null; j = queue.poll()) {
            if (j != STOP) {
                run(List.of(j));
            }
        }
    }

    /** Engine calls made so far (fewer than the requests handed in when batching works). */
    long calls() {
        return calls.get();
    }

    /** One engine call per model in the batch (normally one); a failing batch is retried request by request. */
    private void run(List<Job> batch) {
        if (batch.size() == 1) {
            Job j = batch.get(0);
            try {
                calls.incrementAndGet();
                j.result().complete(j.model().predictRows(j.rows()));
            } catch (RuntimeException | Error e) {
                j.result().completeExceptionally(e);
            }
            return;
        }
        List<Job> same = new ArrayList<>();
        List<Job> others = new ArrayList<>();
        LoadedModel model = batch.get(0).model();
        for (Job j : batch) {
            (j.model() == model ? same : others).add(j);
        }
        List<Row> all = new ArrayList<>();
        same.forEach(j -> all.addAll(j.rows()));
        List<Prediction> out;
        try {
            calls.incrementAndGet();
            out = model.predictRows(all);
        } catch (RuntimeException e) {
            same.forEach(j -> run(List.of(j)));
            if (!others.isEmpty()) {
                run(others);
            }
            return;
        }
        int at = 0;
        for (Job j : same) {
            j.result().complete(out.subList(at, at + j.rows().size()));
            at += j.rows().size();
        }
        if (!others.isEmpty()) {
            run(others);
        }
    }

    /** Stops taking batches once the requests already handed in are answered. */
    @Override
    public void close() {
        closed = true;
        queue.add(STOP);
    }
}
