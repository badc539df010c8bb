-- Version 1 of org.cogwork.training: training jobs, kept across restarts (issue 17). Portable between H2 2.x and
-- PostgreSQL 15: times in epoch ms, JSON as text.
-- view_json is the job as GET /api/trainings/{id} shows it, rewritten at each change of state (and of progress, at
-- most every few seconds); the other columns are what queries need. node is the runtime that ran the job: after a
-- restart or a kill -9 only that runtime's unfinished jobs are marked INTERRUPTED, never another node's.
CREATE TABLE IF NOT EXISTS training_jobs (
    id         VARCHAR(64)       NOT NULL PRIMARY KEY,
    node       VARCHAR(100)      NOT NULL,
    status     VARCHAR(20)       NOT NULL,
    user_name  VARCHAR(250),
    created    BIGINT            NOT NULL,
    finished   BIGINT,
    run_id     VARCHAR(100),
    view_json  VARCHAR(10000000) NOT NULL
);

CREATE INDEX IF NOT EXISTS ix_training_jobs_created ON training_jobs (created);
CREATE INDEX IF NOT EXISTS ix_training_jobs_node_status ON training_jobs (node, status);
