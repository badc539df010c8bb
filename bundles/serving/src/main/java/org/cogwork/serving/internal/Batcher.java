package org.cogwork.serving.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.Semaphore;
import org.cogwork.api.data.Row;
import org.cogwork.api.engine.Prediction;

/**
 * Dynamic batching for one model version: concurrent requests hand in their checked rows, and one engine call
 * answers up to {@code maxBatch} rows of several requests. An engine call has a fixed cost (a native call, tensor
 * set-up) that one call for 16 rows pays once instead of 16 times.
 *
 * <p>No thread of its own: a request that finds a free batch slot (one per core) becomes a leader, waits up to
 * {@code maxDelayMicros} for company, and runs the batch for everyone queued; the others wait for their answer and
 * take over when the leader leaves with work still queued. (A dedicated batching thread was measured first: on two
 * cores it gets one share of the CPU among every busy request thread, and batching then halved throughput.)
 * When a batch fails, each of its requests is run alone, so a bad row fails only the request that sent it.
 */
final class Batcher {
    private record Job(LoadedModel model, List<Row> rows, CompletableFuture<List<Prediction>> result) {
    }

    /** How long a waiting request sleeps before it checks whether it must lead (the leader may have left). */
    private static final long FOLLOW_NANOS = 200_000;

    final ServingOptions options;
    private final ConcurrentLinkedQueue<Job> queue = new ConcurrentLinkedQueue<>();
    /**
     * As many batches may run at once as there are cores: with one at a time, batching took the engine's work down to
     * one core while unbatched requests used both (measured: 0.76x the requests/s of the same run without batching).
     */
    private final Semaphore leaders = new Semaphore(Math.max(1, Runtime.getRuntime().availableProcessors()));
    private final AtomicLong calls = new AtomicLong();

    Batcher(ServingOptions options) {
        this.options = options;
    }

    /** Predicts {@code rows} (checked by {@link LoadedModel#rows}) with {@code model}, held by the caller, in a batch. */
    List<Prediction> predict(LoadedModel model, List<Row> rows) {
        Job job = new Job(model, rows, new CompletableFuture<>());
        queue.add(job);
        while (!job.result().isDone()) {
            if (leaders.tryAcquire()) {
                try {
                    lead(job);
                } finally {
                    leaders.release();
                }
            } else {
                try {
                    job.result().get(FOLLOW_NANOS, TimeUnit.NANOSECONDS);
                } catch (TimeoutException | ExecutionException e) {
                    // not answered yet (check whether to lead), or answered with a failure (thrown below)
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return model.predictRows(rows); // cannot wait: answer alone (the batch may answer it too; ignored)
                }
            }
        }
        try {
            return job.result().join();
        } catch (java.util.concurrent.CompletionException e) {
            throw e.getCause() instanceof RuntimeException re ? re : e;
        }
    }

    /** Runs batches until {@code mine} is answered. */
    private void lead(Job mine) {
        while (!mine.result().isDone()) {
            long deadline = System.nanoTime() + options.maxDelayMicros() * 1000L;
            while (queuedRows() < options.maxBatch() && System.nanoTime() < deadline) {
                Thread.onSpinWait(); // waiting for company: microseconds, cheaper than parking
                if (deadline - System.nanoTime() > 50_000) {
                    java.util.concurrent.locks.LockSupport.parkNanos(20_000);
                }
            }
            // poll, never peek-then-poll: with several leaders the head can change in between, and the job polled
            // would not be the one added (found by LoadedModelTest hanging: a request lost, never answered).
            // A request is never split, so a batch may exceed maxBatch by the rows of its last request.
            List<Job> batch = new ArrayList<>();
            int rows = 0;
            for (Job j; rows < options.maxBatch() && (j = queue.poll()) != null; ) {
                batch.add(j);
                rows += j.rows().size();
            }
            if (batch.isEmpty()) {
                return;
            }
            run(batch);
        }
    }

    private int queuedRows() {
        int n = 0;
        for (Job j : queue) {
            n += j.rows().size();
            if (n >= options.maxBatch()) {
                break;
            }
        }
        return n;
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
}
