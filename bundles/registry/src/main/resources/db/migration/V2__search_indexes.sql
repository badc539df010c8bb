-- Version 2: indexes for run search and metric histories.
CREATE INDEX IF NOT EXISTS ix_runs_experiment_start ON runs (experiment_id, start_time);
CREATE INDEX IF NOT EXISTS ix_metrics_run_key ON metrics (run_id, metric_key, step);
CREATE INDEX IF NOT EXISTS ix_latest_metrics_key_val ON latest_metrics (metric_key, val);
CREATE INDEX IF NOT EXISTS ix_model_versions_run ON model_versions (run_id);
