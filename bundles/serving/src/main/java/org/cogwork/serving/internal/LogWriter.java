package org.cogwork.serving.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.cogwork.api.serving.PredictionLog;
import org.cogwork.api.serving.PredictionRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes predictions to the prediction log off the request path: requests put records on a bounded queue,
 * one thread writes them in batches. When the queue is full a record is dropped and counted (never
 * silently); when no log is installed, records wait in the queue.
 */
final class LogWriter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LogWriter.class);
    private static final int BATCH = 500;

    private final BlockingQueue<PredictionRecord> queue;
    private final Supplier<PredictionLog> log;
    private final AtomicLong written = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final Thread thread;
    private volatile boolean running = true;

    LogWriter(int capacity, Supplier<PredictionLog> log) {
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.log = log;
        this.thread = new Thread(this::run, "cogwork-prediction-log");
        thread.setDaemon(true);
        thread.start();
    }

    /** Queues records; returns how many had to be dropped because the queue was full. */
    int offer(List<PredictionRecord> records) {
        int lost = 0;
        for (PredictionRecord r : records) {
            if (!queue.offer(r)) {
                lost++;
            }
        }
        if (lost > 0) {
            dropped.addAndGet(lost);
        }
        return lost;
    }

    private void run() {
        List<PredictionRecord> batch = new ArrayList<>(BATCH);
        while (running || !queue.isEmpty()) {
            try {
                PredictionLog target = log.get();
                if (target == null) {
                    Thread.sleep(100);
                    continue;
                }
                PredictionRecord first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, BATCH - 1);
                try {
                    target.append(batch);
                    written.addAndGet(batch.size());
                } catch (RuntimeException e) {
                    failed.addAndGet(batch.size());
                    LOG.warn("Could not write {} predictions to the log: {}", batch.size(), e.toString());
                }
                batch.clear();
            } catch (InterruptedException e) {
                if (!running) {
                    break;
                }
            }
        }
    }

    long queued() {
        return queue.size();
    }

    long written() {
        return written.get();
    }

    long dropped() {
        return dropped.get();
    }

    long failed() {
        return failed.get();
    }

    /** Stops after writing what is queued (bounded wait). */
    @Override
    public void close() {
        running = false;
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
