-- Cogwork metadata store, version 1. Portable between H2 2.x and PostgreSQL 15: standard types only, no
-- reserved words as column names (key, value, timestamp, version, alias are avoided), times in epoch ms.
-- Statements end with ';' at the end of a line (the migration runner splits there).

CREATE TABLE IF NOT EXISTS experiments (
    id                BIGINT        NOT NULL PRIMARY KEY,
    name              VARCHAR(500)  NOT NULL,
    artifact_location VARCHAR(2000) NOT NULL,
    lifecycle_stage   VARCHAR(16)   NOT NULL,
    created           BIGINT        NOT NULL,
    updated           BIGINT        NOT NULL,
    CONSTRAINT uq_experiments_name UNIQUE (name),
    CONSTRAINT ck_experiments_stage CHECK (lifecycle_stage IN ('active', 'deleted'))
);

CREATE TABLE IF NOT EXISTS experiment_tags (
    experiment_id BIGINT        NOT NULL REFERENCES experiments (id),
    tag_key       VARCHAR(250)  NOT NULL,
    tag_value     VARCHAR(8000) NOT NULL,
    PRIMARY KEY (experiment_id, tag_key)
);

CREATE TABLE IF NOT EXISTS runs (
    id              CHAR(32)      NOT NULL PRIMARY KEY,
    experiment_id   BIGINT        NOT NULL REFERENCES experiments (id),
    name            VARCHAR(250),
    status          VARCHAR(16)   NOT NULL,
    start_time      BIGINT        NOT NULL,
    end_time        BIGINT,
    artifact_uri    VARCHAR(2000) NOT NULL,
    lifecycle_stage VARCHAR(16)   NOT NULL,
    CONSTRAINT ck_runs_status CHECK (status IN ('RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED')),
    CONSTRAINT ck_runs_stage CHECK (lifecycle_stage IN ('active', 'deleted'))
);

CREATE TABLE IF NOT EXISTS params (
    run_id      CHAR(32)      NOT NULL REFERENCES runs (id),
    param_key   VARCHAR(250)  NOT NULL,
    param_value VARCHAR(8000) NOT NULL,
    PRIMARY KEY (run_id, param_key)
);

CREATE TABLE IF NOT EXISTS run_tags (
    run_id    CHAR(32)      NOT NULL REFERENCES runs (id),
    tag_key   VARCHAR(250)  NOT NULL,
    tag_value VARCHAR(8000) NOT NULL,
    PRIMARY KEY (run_id, tag_key)
);

-- Every logged point. NaN is stored as val 0 with is_nan true (as MLflow does), so comparisons stay plain SQL.
CREATE TABLE IF NOT EXISTS metrics (
    run_id     CHAR(32)         NOT NULL REFERENCES runs (id),
    metric_key VARCHAR(250)     NOT NULL,
    val        DOUBLE PRECISION NOT NULL,
    is_nan     BOOLEAN          NOT NULL,
    step       BIGINT           NOT NULL,
    ts         BIGINT           NOT NULL
);

-- The latest point of each (run, metric): largest step, then timestamp, then value (MLflow's rule). Kept in the
-- same transaction as the point, so searches and orderings on metrics never scan the histories.
CREATE TABLE IF NOT EXISTS latest_metrics (
    run_id     CHAR(32)         NOT NULL REFERENCES runs (id),
    metric_key VARCHAR(250)     NOT NULL,
    val        DOUBLE PRECISION NOT NULL,
    is_nan     BOOLEAN          NOT NULL,
    step       BIGINT           NOT NULL,
    ts         BIGINT           NOT NULL,
    PRIMARY KEY (run_id, metric_key)
);

CREATE TABLE IF NOT EXISTS artifacts (
    run_id        CHAR(32)      NOT NULL REFERENCES runs (id),
    artifact_path VARCHAR(1000) NOT NULL,
    storage       VARCHAR(100)  NOT NULL,
    storage_key   VARCHAR(2000) NOT NULL,
    size_bytes    BIGINT        NOT NULL,
    sha256        CHAR(64)      NOT NULL,
    created       BIGINT        NOT NULL,
    PRIMARY KEY (run_id, artifact_path)
);

-- A model keeps its id for life; active_name is its name while it is active and NULL once deleted, so names are
-- unique among active models (NULLs do not collide in a UNIQUE constraint on H2 or PostgreSQL) and a deleted
-- model's name can be registered again.
CREATE TABLE IF NOT EXISTS registered_models (
    id           BIGINT        NOT NULL PRIMARY KEY,
    name         VARCHAR(500)  NOT NULL,
    active_name  VARCHAR(500),
    description  VARCHAR(8000),
    created      BIGINT        NOT NULL,
    updated      BIGINT        NOT NULL,
    deleted_time BIGINT,
    CONSTRAINT uq_registered_models_active_name UNIQUE (active_name)
);

CREATE TABLE IF NOT EXISTS model_tags (
    model_id  BIGINT        NOT NULL REFERENCES registered_models (id),
    tag_key   VARCHAR(250)  NOT NULL,
    tag_value VARCHAR(8000) NOT NULL,
    PRIMARY KEY (model_id, tag_key)
);

CREATE TABLE IF NOT EXISTS model_versions (
    model_id     BIGINT          NOT NULL REFERENCES registered_models (id),
    ver          INTEGER         NOT NULL,
    run_id       CHAR(32),
    source       VARCHAR(2000),
    status       VARCHAR(32)     NOT NULL,
    description  VARCHAR(8000),
    approval     VARCHAR(8000),
    provenance   VARCHAR(1000000),
    created      BIGINT          NOT NULL,
    updated      BIGINT          NOT NULL,
    deleted_time BIGINT,
    PRIMARY KEY (model_id, ver),
    CONSTRAINT ck_model_versions_ver CHECK (ver >= 1)
);

CREATE TABLE IF NOT EXISTS model_version_tags (
    model_id  BIGINT        NOT NULL,
    ver       INTEGER       NOT NULL,
    tag_key   VARCHAR(250)  NOT NULL,
    tag_value VARCHAR(8000) NOT NULL,
    PRIMARY KEY (model_id, ver, tag_key),
    FOREIGN KEY (model_id, ver) REFERENCES model_versions (model_id, ver)
);

-- One row per (model, alias): an alias can never name two versions. A move is an UPDATE of that row.
CREATE TABLE IF NOT EXISTS model_aliases (
    model_id   BIGINT       NOT NULL,
    alias_name VARCHAR(250) NOT NULL,
    ver        INTEGER      NOT NULL,
    updated    BIGINT       NOT NULL,
    PRIMARY KEY (model_id, alias_name),
    FOREIGN KEY (model_id, ver) REFERENCES model_versions (model_id, ver)
);

CREATE TABLE IF NOT EXISTS model_audit (
    model_id   BIGINT        NOT NULL REFERENCES registered_models (id),
    seq        BIGINT        NOT NULL,
    at_time    BIGINT        NOT NULL,
    actor      VARCHAR(250)  NOT NULL,
    op         VARCHAR(64)   NOT NULL,
    ver        INTEGER,
    alias_name VARCHAR(250),
    previous   INTEGER,
    detail     VARCHAR(8000),
    PRIMARY KEY (model_id, seq)
);
