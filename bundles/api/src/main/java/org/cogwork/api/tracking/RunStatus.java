package org.cogwork.api.tracking;

/** Life cycle of a tracked run (the same states as MLflow's). */
public enum RunStatus { RUNNING, SCHEDULED, FINISHED, FAILED, KILLED }
