package org.cogwork.training.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.cogwork.api.training.JobStatus;
import org.cogwork.api.training.TrainingJob;
import org.cogwork.api.training.TrainingResult;
import org.cogwork.engine.baseline.BaselineEngine;
import org.cogwork.features.internal.BuiltIn;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.util.converter.Converters;

/** Jobs in the metadata database: kept after they finish, interrupted by a restart, deleted by the retention policy. */
class JobPersistenceTest {
    @TempDir
    Path tmp;

    @Test
    void finishedJobsLeaveMemoryAndTheRetentionPolicyDeletesTheOldest() throws Exception {
        try (Harness h = new Harness(tmp, Map.of("threads", 1, "jobs.retain.count", 2), new BaselineEngine("1.0.0"))) {
            List<String> ids = new java.util.ArrayList<>();
            for (int i = 0; i < 4; i++) {
                TrainingJob job = h.run(TrainingManagerTest.CREDIT.formatted(""), Duration.ofSeconds(60));
                assertEquals(JobStatus.SUCCEEDED, Harness.status(job), job.error());
                ids.add(job.id());
            }
            // a job shows SUCCEEDED a moment before its worker, having stored it, drops it from memory
            for (long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10); h.manager.jobsInMemory() > 0 && System.nanoTime() < end; ) {
                Thread.sleep(10);
            }
            assertEquals(0, h.manager.jobsInMemory(), "finished jobs are read from the store, not held");
            assertEquals(0, h.manager.timeLimitsQueued(), "no time-limit task outlives its job (it would hold the job and its result)");
            // the two oldest are gone: unknown to every call, as the REST API's 404
            for (String gone : ids.subList(0, 2)) {
                assertTrue(h.manager.job(gone).isEmpty(), gone);
                assertTrue(h.manager.status(gone).isEmpty(), gone);
                assertTrue(h.manager.openArtifact(gone).isEmpty(), gone);
            }
            TrainingJob kept = h.manager.job(ids.get(3)).orElseThrow();
            assertEquals(JobStatus.SUCCEEDED, kept.status());
            assertTrue(kept.result() != null && kept.result().metrics().containsKey("accuracy"), String.valueOf(kept));
            assertEquals(Harness.USER, kept.user());
            assertEquals(List.of(ids.get(3), ids.get(2)), h.manager.jobs().stream().map(TrainingJob::id).toList());
            assertTrue(h.manager.jobs().stream().allMatch(j -> j.spec() == null && j.result() == null), "the list leaves out specs and results");
        }
    }

    @Test
    void jobsRunningWhenTheRuntimeStoppedAreInterruptedAtTheNextStartOnThisNodeOnly() throws Exception {
        JobFaultsTest.StubbornEngine stubborn = new JobFaultsTest.StubbornEngine();
        try (Harness h = new Harness(tmp, 1, stubborn)) {
            String running = h.submit(JobFaultsTest.STUBBORN.formatted(""));
            assertTrue(stubborn.entered.await(60, TimeUnit.SECONDS), "the engine was called");
            String queued = h.submit(JobFaultsTest.STUBBORN.formatted(""));
            assertEquals(JobStatus.QUEUED, h.manager.status(queued).orElseThrow());
            // another runtime on the same database has a job running: not this node's to judge
            JobStore otherNode = new JobStore(Harness.trainingDb(h.store), "other-node");
            Job theirs = new Job("their-job", Spec.of(TrainingManager.bind(org.cogwork.runtime.rest.Json.MAPPER.readTree(
                    TrainingManagerTest.CREDIT.formatted(""))), 600), "bob", null);
            otherNode.insert(theirs);
            theirs.status = JobStatus.RUNNING;
            otherNode.update(theirs.view());

            // the next life of this node (as after a kill -9: nothing of the first one ran its shutdown)
            TrainingConfig config = Converters.standardConverter().convert(Map.of("threads", 1)).to(TrainingConfig.class);
            TrainingManager next = new TrainingManager(config, BuiltIn.pipelineService(), tmp, Map.of(), Harness.trainingDb(h.store), "test-node");
            try {
                TrainingJob job = await(next, running);
                assertEquals(JobStatus.INTERRUPTED, job.status());
                assertTrue(job.error().startsWith("Cogwork stopped while the job was running"), job.error());
                assertEquals("interrupted", job.progress().phase());
                assertTrue(job.finished().isAfter(job.started()));
                assertEquals(Harness.USER, job.user());
                TrainingJob q = await(next, queued);
                assertEquals(JobStatus.INTERRUPTED, q.status());
                assertTrue(q.error().startsWith("Cogwork stopped while the job was queued"), q.error());
                assertEquals(JobStatus.RUNNING, next.status("their-job").orElseThrow(), "another node's job is left alone");
            } finally {
                next.close();
                stubborn.release.countDown();
            }
        }
    }

    @Test
    void aLateProgressSaveDoesNotPutAFinishedJobBackToRunning() throws Exception {
        try (Harness h = new Harness(tmp, 1)) {
            JobStore store = new JobStore(Harness.trainingDb(h.store), "another-node"); // not the harness's node, whose start-up recovery would interrupt it
            Job job = new Job("late-progress", Spec.of(TrainingManager.bind(org.cogwork.runtime.rest.Json.MAPPER.readTree(
                    TrainingManagerTest.CREDIT.formatted(""))), 600), "bob", null);
            store.insert(job);
            job.status = JobStatus.RUNNING;
            store.update(job.view());
            // the progress timer read the job while it ran; its write lands after the job's last save
            Job seenRunning = new Job(job.id, job.spec, "bob", null);
            seenRunning.status = JobStatus.RUNNING;
            job.status = JobStatus.SUCCEEDED;
            job.finished = java.time.Instant.now();
            store.update(job.view());
            store.updateProgress(seenRunning);
            assertEquals(JobStatus.SUCCEEDED, store.status(job.id).orElseThrow());
            assertEquals(JobStatus.SUCCEEDED, store.find(job.id).orElseThrow().status(), "the stored view too");
        }
    }

    @Test
    void aJobSubmittedBeforeTheStartUpRecoveryRanIsNotALeftover() throws Exception {
        try (Harness h = new Harness(tmp, 1)) {
            JobStore store = new JobStore(Harness.trainingDb(h.store), "another-node");
            java.time.Instant thisStart = java.time.Instant.now().minusSeconds(60);
            Job mine = new Job("submitted-while-the-store-opened", Spec.of(TrainingManager.bind(org.cogwork.runtime.rest.Json.MAPPER.readTree(
                    TrainingManagerTest.CREDIT.formatted(""))), 600), "bob", null);
            store.insert(mine); // created after this start began: the recovery must leave it alone
            assertEquals(List.of(), store.interruptLeftovers(java.time.Instant.now(), thisStart));
            assertEquals(JobStatus.QUEUED, store.status(mine.id).orElseThrow());
            // the next start of the node finds it left over
            assertEquals(1, store.interruptLeftovers(java.time.Instant.now(), java.time.Instant.now().plusSeconds(1)).size());
            assertEquals(JobStatus.INTERRUPTED, store.status(mine.id).orElseThrow());
        }
    }

    private static TrainingJob await(TrainingManager m, String id) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        TrainingJob job = m.job(id).orElseThrow();
        while (job.status() != JobStatus.INTERRUPTED && System.nanoTime() < deadline) {
            Thread.sleep(20);
            job = m.job(id).orElseThrow();
        }
        return job;
    }
}
