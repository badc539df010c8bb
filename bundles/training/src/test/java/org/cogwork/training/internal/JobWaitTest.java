package org.cogwork.training.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.cogwork.api.training.JobStatus;
import org.cogwork.api.training.TrainingJob;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A caller waits for a job's end in one call ({@code GET /api/trainings/{id}?waitSeconds=N}) instead of polling. */
class JobWaitTest {
    @TempDir
    Path tmp;

    @Test
    void aWaitingCallAnswersWhenTheJobEndsAndNotBefore() throws Exception {
        JobFaultsTest.StubbornEngine engine = new JobFaultsTest.StubbornEngine();
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (Harness h = new Harness(tmp, 1, engine)) {
            String id = h.submit(JobFaultsTest.STUBBORN.formatted(""));
            assertTrue(engine.entered.await(60, TimeUnit.SECONDS), "the engine was called");

            // the job does not end within the wait: the call answers when the wait is over, with the job running
            long t0 = System.nanoTime();
            TrainingJob running = h.manager.job(id, Duration.ofMillis(300)).orElseThrow();
            long waited = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(JobStatus.RUNNING, running.status());
            assertTrue(waited >= 290, "waited the whole 300 ms, waited " + waited + " ms");

            Future<TrainingJob> waiting = pool.submit(() -> h.manager.job(id, Duration.ofSeconds(60)).orElseThrow());
            Thread.sleep(200);
            assertTrue(!waiting.isDone(), "still waiting while the engine trains");
            long released = System.nanoTime();
            engine.release.countDown();
            TrainingJob done = waiting.get(30, TimeUnit.SECONDS);
            long answeredMs = (System.nanoTime() - released) / 1_000_000;
            assertEquals(JobStatus.SUCCEEDED, done.status(), String.valueOf(done));
            assertTrue(done.result() != null, "the ended job carries its result");
            assertTrue(answeredMs < 10_000, "answered once the job ended, not at the end of the wait: " + answeredMs + " ms");

            // an ended job answers at once whatever the wait
            t0 = System.nanoTime();
            assertEquals(JobStatus.SUCCEEDED, h.manager.job(id, Duration.ofSeconds(60)).orElseThrow().status());
            assertTrue((System.nanoTime() - t0) / 1_000_000 < 5_000);
            assertTrue(h.manager.job("no-such-job", Duration.ofSeconds(60)).isEmpty());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void beyondTheWaitersAllowedACallAnswersAtOnce() throws Exception {
        JobFaultsTest.StubbornEngine engine = new JobFaultsTest.StubbornEngine();
        ExecutorService pool = Executors.newFixedThreadPool(TrainingManager.MAX_WAITERS);
        try (Harness h = new Harness(tmp, 1, engine)) {
            String id = h.submit(JobFaultsTest.STUBBORN.formatted(""));
            assertTrue(engine.entered.await(60, TimeUnit.SECONDS), "the engine was called");
            List<Future<TrainingJob>> waiting = new ArrayList<>();
            for (int i = 0; i < TrainingManager.MAX_WAITERS; i++) {
                waiting.add(pool.submit(() -> h.manager.job(id, Duration.ofSeconds(60)).orElseThrow()));
            }
            // every waiter holds its place (a request thread each); one more is answered at once
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            TrainingJob extra;
            long ms;
            do {
                Thread.sleep(50);
                long t0 = System.nanoTime();
                extra = h.manager.job(id, Duration.ofSeconds(5)).orElseThrow();
                ms = (System.nanoTime() - t0) / 1_000_000;
            } while (ms >= 4_900 && System.nanoTime() < deadline); // a waiter not yet seated let this one wait
            assertEquals(JobStatus.RUNNING, extra.status());
            assertTrue(ms < 4_900, "answered at once with " + TrainingManager.MAX_WAITERS + " calls waiting, took " + ms + " ms");
            engine.release.countDown();
            for (Future<TrainingJob> w : waiting) {
                assertEquals(JobStatus.SUCCEEDED, w.get(30, TimeUnit.SECONDS).status());
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
