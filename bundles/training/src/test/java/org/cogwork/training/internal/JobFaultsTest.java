package org.cogwork.training.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.cogwork.api.data.Row;
import org.cogwork.api.engine.AlgorithmInfo;
import org.cogwork.api.engine.Engine;
import org.cogwork.api.engine.EngineException;
import org.cogwork.api.engine.EngineInfo;
import org.cogwork.api.engine.Model;
import org.cogwork.api.engine.ModelDescriptor;
import org.cogwork.api.engine.Prediction;
import org.cogwork.api.engine.Task;
import org.cogwork.api.engine.TrainingContext;
import org.cogwork.api.engine.TrainingRequest;
import org.cogwork.api.training.JobStatus;
import org.cogwork.api.training.TrainingJob;
import org.cogwork.api.training.TrainingResult;
import org.cogwork.engine.baseline.BaselineEngine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Jobs whose engine ignores a stop, or fails with an error, still end, say why, and do not hold a worker. */
class JobFaultsTest {
    static final String STUBBORN = TrainingManagerTest.CREDIT.replace("\"baseline\"", "\"stubborn\"");

    @TempDir
    Path tmp;

    /** Trains the baseline model, but only once released, ignoring cancel and interrupts until then. */
    static final class StubbornEngine implements Engine {
        final BaselineEngine baseline = new BaselineEngine("1.0.0");
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final AtomicInteger interrupts = new AtomicInteger();
        final AtomicBoolean modelClosed = new AtomicBoolean();
        volatile Error error;

        @Override
        public EngineInfo info() {
            return new EngineInfo("stubborn", "1.0.0", List.of(new AlgorithmInfo("majority", Task.CLASSIFICATION, "", Map.of())));
        }

        @Override
        public Model train(TrainingRequest request, TrainingContext context) throws EngineException {
            if (error != null) {
                throw error;
            }
            entered.countDown();
            while (true) {
                try {
                    if (release.await(60, TimeUnit.SECONDS)) {
                        break;
                    }
                } catch (InterruptedException e) {
                    interrupts.incrementAndGet();
                }
            }
            Model m = baseline.train(request, TrainingContext.none());
            return new Model() {
                @Override
                public ModelDescriptor descriptor() {
                    return m.descriptor();
                }

                @Override
                public List<Prediction> predict(List<Row> rows) {
                    return m.predict(rows);
                }

                @Override
                public void save(OutputStream out) throws IOException {
                    m.save(out);
                }

                @Override
                public void close() {
                    modelClosed.set(true);
                    m.close();
                }
            };
        }

        @Override
        public Model load(java.io.InputStream in) throws EngineException {
            return baseline.load(in);
        }
    }

    @Test
    void anEngineThatIgnoresCancelIsAbandonedFreesItsWorkerAndIsReleasedWhenItReturns() throws Exception {
        StubbornEngine stubborn = new StubbornEngine();
        try (Harness h = new Harness(tmp, 1, stubborn, new BaselineEngine("1.0.0"))) {
            String id = h.submit(STUBBORN.formatted(""));
            assertTrue(stubborn.entered.await(60, TimeUnit.SECONDS), "the engine was called");
            long t0 = System.nanoTime();
            assertTrue(h.manager.cancel(id));
            TrainingJob job = h.await(id, Duration.ofSeconds(10));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(JobStatus.ABANDONED, Harness.status(job), String.valueOf(job));
            assertTrue(ms >= 900 && ms < 5_000, "abandoned after the 1 s grace, took " + ms + " ms");
            assertTrue(job.error().startsWith("cancelled, and engine 'stubborn' did not stop within 1 s"), job.error());
            assertEquals(1, stubborn.interrupts.get(), "the engine call, and only it, was interrupted");
            assertNull(job.released());

            // the only worker is free again while the stubborn engine still holds its thread
            TrainingJob next = h.run(TrainingManagerTest.CREDIT.formatted(""), Duration.ofSeconds(60));
            assertEquals(JobStatus.SUCCEEDED, Harness.status(next), next.error());
            assertFalse(stubborn.modelClosed.get());

            stubborn.release.countDown();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (h.manager.job(id).orElseThrow().released() == null && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            TrainingJob released = h.manager.job(id).orElseThrow();
            assertTrue(released.released() != null && !released.released().isBefore(released.finished()), "the engine's return was noticed");
            assertTrue(stubborn.modelClosed.get(), "the model it returned late was closed, not kept");
            assertEquals(JobStatus.ABANDONED, h.manager.status(id).orElseThrow(), "a late return changes nothing");
        }
    }

    @Test
    void aTimeLimitAbandonsAnEngineThatIgnoresIt() throws Exception {
        StubbornEngine stubborn = new StubbornEngine();
        try (Harness h = new Harness(tmp, 1, stubborn)) {
            // long enough for the data to be read first on a busy machine, so the limit comes while the engine trains
            TrainingJob job = h.run(STUBBORN.formatted(", \"timeLimitSeconds\": 5"), Duration.ofSeconds(30));
            assertEquals(JobStatus.ABANDONED, Harness.status(job), String.valueOf(job));
            assertTrue(job.error().startsWith("time limit reached (5 s), and engine 'stubborn' did not stop within 1 s"), job.error());
            stubborn.release.countDown();
        }
    }

    @Test
    void anEngineErrorFailsTheJobWithItsReason() throws Exception {
        StubbornEngine failing = new StubbornEngine();
        failing.error = new OutOfMemoryError("Java heap space (simulated)");
        try (Harness h = new Harness(tmp, 1, failing)) {
            TrainingJob job = h.run(STUBBORN.formatted(""), Duration.ofSeconds(30));
            assertEquals(JobStatus.FAILED, Harness.status(job), String.valueOf(job));
            String error = job.error();
            assertTrue(error.startsWith("out of memory (java.lang.OutOfMemoryError: Java heap space (simulated)): this training needs more than the "),
                    error);
            long suggested = Math.max(2, (2 * (Runtime.getRuntime().maxMemory() >> 20) + 1023) / 1024);
            assertTrue(error.contains("COGWORK_HEAP=" + suggested + "g"), "names the setting to raise, twice the heap: " + error);
            assertNull(job.result());
            assertEquals("failed", job.progress().phase());
        }
    }
}
