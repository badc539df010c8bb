package org.cogwork.api.engine;

/** The kind of learning problem an algorithm solves. */
public enum Task {
    CLASSIFICATION,
    REGRESSION,
    CLUSTERING
}
