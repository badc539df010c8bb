package org.cogwork.training.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectReader;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.cogwork.api.training.JobStatus;
import org.cogwork.api.training.TrainingJob;
import org.cogwork.persistence.Database;
import org.cogwork.runtime.rest.Json;

/**
 * Training jobs in the metadata database (table {@code training_jobs}, this bundle's migration V1): every job from
 * its submission, as {@link Job#view()} shows it. The manager keeps only unfinished jobs in memory; a finished job is
 * read from here, until the retention policy deletes it.
 */
final class JobStore {
    /**
     * Reads stored jobs as strictly as the REST layer binds bodies, except that a field it does not know is skipped: a
     * newer runtime sharing the database may store more.
     */
    private static final ObjectReader STORED = Json.MAPPER.readerFor(TrainingJob.class)
            .without(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /** A job left unfinished by an earlier life of this node, now marked {@link JobStatus#INTERRUPTED}. */
    record Interrupted(String id, String runId) {
    }

    private final Database db;
    private final String node;

    JobStore(Database db, String node) {
        this.db = db;
        this.node = node;
    }

    /** Records a job as it is accepted: before the client hears 202, so an acknowledged job is never lost. */
    void insert(Job job) {
        String view = json(job.view());
        db.txVoid(h -> h.createUpdate("INSERT INTO training_jobs (id, node, status, user_name, created, finished, run_id, view_json) "
                        + "VALUES (:id, :node, :status, :user, :created, NULL, NULL, :view)")
                .bind("id", job.id).bind("node", node).bind("status", job.status.name()).bind("user", job.user)
                .bind("created", job.created.toEpochMilli()).bind("view", view).execute());
    }

    /** Forgets a job that was refused after all (the queue was full: the client got a 429, not a 202). */
    void delete(String id) {
        db.txVoid(h -> h.createUpdate("DELETE FROM training_jobs WHERE id = :id").bind("id", id).execute());
    }

    /**
     * Writes {@code view} as its job's state (status, run, progress, result): {@link Job#view} now, or a job's ended
     * view, written before the job shows it.
     */
    void update(TrainingJob view) {
        String json = json(view);
        db.txVoid(h -> h.createUpdate("UPDATE training_jobs SET status = :status, finished = :finished, run_id = :run, view_json = :view WHERE id = :id")
                .bind("status", view.status().name()).bind("finished", view.finished() == null ? null : view.finished().toEpochMilli())
                .bind("run", view.runId()).bind("view", json).bind("id", view.id()).execute());
    }

    /**
     * Writes a running job's progress, unless the job's row already holds another state: a progress save racing
     * with the job's last save must not put a finished job back to RUNNING (the bench saw one stay RUNNING for good).
     */
    void updateProgress(Job job) {
        TrainingJob view = job.view();
        if (view.status() != JobStatus.RUNNING) {
            return;
        }
        String json = json(view);
        db.txVoid(h -> h.createUpdate("UPDATE training_jobs SET view_json = :view WHERE id = :id AND status = 'RUNNING'")
                .bind("view", json).bind("id", job.id).execute());
    }

    Optional<TrainingJob> find(String id) {
        return db.jdbi().withHandle(h -> h.createQuery("SELECT view_json FROM training_jobs WHERE id = :id").bind("id", id)
                .mapTo(String.class).findOne()).map(JobStore::view);
    }

    Optional<JobStatus> status(String id) {
        return db.jdbi().withHandle(h -> h.createQuery("SELECT status FROM training_jobs WHERE id = :id").bind("id", id)
                .mapTo(String.class).findOne()).map(JobStatus::valueOf);
    }

    /** The newest {@code limit} jobs, newest first, without their spec and result. */
    List<TrainingJob> list(int limit) {
        return db.jdbi().withHandle(h -> h.createQuery("SELECT view_json FROM training_jobs ORDER BY created DESC, id")
                .setMaxRows(limit).mapTo(String.class).list()).stream().map(v -> view(v).summary()).toList();
    }

    /**
     * Marks this node's jobs that were queued or running when it last stopped (a restart, a crash, a kill -9)
     * {@link JobStatus#INTERRUPTED}, and returns them so that their runs can be ended too. Only jobs created before
     * {@code startedAt} (this start of the node): the recovery runs once the store is open, and jobs submitted in the
     * meantime are this start's own (CI saw one interrupted while it ran).
     */
    List<Interrupted> interruptLeftovers(Instant now, Instant startedAt) {
        return db.tx(h -> {
            List<Map<String, Object>> rows = h.createQuery("SELECT id, run_id, view_json FROM training_jobs WHERE node = :node "
                    + "AND status IN ('QUEUED', 'RUNNING') AND created < :started").bind("node", node)
                    .bind("started", startedAt.toEpochMilli()).mapToMap().list();
            for (Map<String, Object> row : rows) {
                TrainingJob was = view((String) row.get("view_json"));
                TrainingJob v = was.ended(JobStatus.INTERRUPTED, now, "Cogwork stopped while the job was "
                        + was.status().name().toLowerCase(java.util.Locale.ROOT) + " (a restart, a crash or a kill); submit it again to retrain");
                h.createUpdate("UPDATE training_jobs SET status = 'INTERRUPTED', finished = :f, view_json = :v WHERE id = :id")
                        .bind("f", now.toEpochMilli()).bind("v", json(v)).bind("id", row.get("id")).execute();
            }
            return rows.stream().map(r -> new Interrupted((String) r.get("id"), (String) r.get("run_id"))).toList();
        });
    }

    /**
     * Deletes finished jobs beyond the retention policy: older than {@code maxAge}, or beyond the newest
     * {@code keep} finished ones. Unfinished jobs are never deleted. Returns how many went.
     */
    int sweep(int keep, Duration maxAge, Instant now) {
        return db.tx(h -> {
            int n = h.createUpdate("DELETE FROM training_jobs WHERE finished IS NOT NULL AND finished < :cut")
                    .bind("cut", now.minus(maxAge).toEpochMilli()).execute();
            List<String> beyond = h.createQuery("SELECT id FROM training_jobs WHERE finished IS NOT NULL ORDER BY finished DESC, id")
                    .mapTo(String.class).list();
            if (beyond.size() > keep) {
                for (String id : beyond.subList(keep, beyond.size())) {
                    n += h.createUpdate("DELETE FROM training_jobs WHERE id = :id").bind("id", id).execute();
                }
            }
            return n;
        });
    }

    /**
     * {@code view} with JSON's types only in its open parts (provenance, hyperparameters, the values of the worst rows),
     * as a stored view reads back: callers see one shape whether a job is live or stored.
     */
    static TrainingJob asJson(TrainingJob view) {
        return Json.MAPPER.convertValue(view, TrainingJob.class);
    }

    static String json(TrainingJob view) {
        try {
            return Json.MAPPER.writeValueAsString(view);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a job's view cannot be written as JSON", e);
        }
    }

    /** A job as stored (by this version or an earlier one: the JSON has not changed). */
    static TrainingJob view(String json) {
        try {
            return STORED.readValue(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a stored job cannot be read: " + e.getOriginalMessage(), e);
        }
    }
}
