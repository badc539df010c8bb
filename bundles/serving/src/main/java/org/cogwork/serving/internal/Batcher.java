package org.cogwork.serving.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.cogwork.api.data.Row;
import org.cogwork.api.engine.Prediction;

/**
 * Dynamic batching for one model version: concurrent requests hand in their checked rows, and one engine call
 * answers up to {@code maxBatch} rows of several requests. An engine call has a fixed cost (a native call, tensor
 * set-up) that one call for 16 rows pays once instead of 16 times.
 *
 * <p>No thread of its own: a request that finds a free batch slot (one per core) becomes a leader, waits up to
 * {@code maxDelayMicros} for company, and runs the batch for everyone queued; the others sleep until answered, and
 * the first of them still queued is woken to take over when a leader leaves. (A dedicated batching thread was measured first: on two
 * cores it gets one share of the CPU among every busy request thread, and batching then halved throughput.)
 * When a batch fails, each of its requests is run alone, so a bad row fails only the request that sent it.
 */
final class Batcher {
    private record Job(LoadedModel model, List<Row> rows, CompletableFuture<List<Prediction>> result, Thread waiter) {
    }

    /**
     * The longest a waiting request sleeps without being woken (it is woken when answered or handed the lead; this
     * only bounds the cost of a wake-up that never comes).
     */
    private static final long FOLLOW_NANOS = 10_000_000;

    final ServingOptions options;
    private final ConcurrentLinkedQueue<Job> queue = new ConcurrentLinkedQueue<>();
    /**
     * How many batches may run at once ({@link ServingOptions#batchSlots}): by default one per core, as with one at a
     * time batching took a small network's work down to one core while unbatched requests used both (0.58-0.76x the
     * requests/s of the same run without batching); one for a network whose calls are bound by memory, where a batch of
     * every waiting request beat two half batches (README, "Dynamic batching").
     */
    private final Semaphore leaders;
    private final AtomicLong calls = new AtomicLong();
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong rowsIn = new AtomicLong();

    Batcher(ServingOptions options) {
        this.options = options;
        this.leaders = new Semaphore(options.batchSlots());
    }

    /**
     * Predicts {@code rows} (checked by {@link LoadedModel#rows}) with {@code model}, held by the caller, in a batch.
     * A request waiting for its answer sleeps until a leader answers it or, leaving with work still queued, hands it
     * the lead: the waiting requests of a DJL network once looked every 200 µs whether to lead, and those wake-ups
     * cost more than batching saved (1.7 rows per engine call at 16 connections, 0.84x the unbatched requests/s).
     */
    List<Prediction> predict(LoadedModel model, List<Row> rows) {
        Job job = new Job(model, rows, new CompletableFuture<>(), Thread.currentThread());
        requests.incrementAndGet();
        rowsIn.addAndGet(rows.size());
        queue.add(job);
        while (!job.result().isDone()) {
            if (leaders.tryAcquire()) {
                try {
                    lead(job);
                } finally {
                    leaders.release();
                    handOff();
                }
            } else {
                LockSupport.parkNanos(this, FOLLOW_NANOS);
                if (Thread.interrupted()) {
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

    /** Wakes the request at the head of the queue, if any, to take the lead a leader has just left. */
    private void handOff() {
        Job next = queue.peek();
        if (next != null) {
            LockSupport.unpark(next.waiter());
        }
    }

    /** Runs batches until {@code mine} is answered. */
    private void lead(Job mine) {
        while (!mine.result().isDone()) {
            long deadline = System.nanoTime() + options.maxDelayMicros() * 1000L;
            while (queuedRows() < options.maxBatch() && System.nanoTime() < deadline) {
                Thread.onSpinWait(); // waiting for company: microseconds, cheaper than parking
                if (deadline - System.nanoTime() > 50_000) {
                    LockSupport.parkNanos(20_000);
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

    /** Requests and rows handed in, engine calls made and rows per call, for {@code /api/serving}. */
    Map<String, Object> view() {
        long c = calls.get();
        long n = rowsIn.get();
        return Map.of("requests", requests.get(), "rows", n, "engineCalls", c, "rowsPerCall", c == 0 ? 0.0 : Math.round(10.0 * n / c) / 10.0);
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
            LockSupport.unpark(j.waiter());
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
            LockSupport.unpark(j.waiter());
            at += j.rows().size();
        }
        if (!others.isEmpty()) {
            run(others);
        }
    }
}
