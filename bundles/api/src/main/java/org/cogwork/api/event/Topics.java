package org.cogwork.api.event;

/**
 * Event Admin topics published by the platform. Scheme: {@code cogwork/<subject>/<WHAT>}; subscribe to
 * {@code cogwork/*} for everything or {@code cogwork/engine/*} for one subject. Properties are named by
 * the constants below; each event also carries {@link #TIMESTAMP}.
 *
 * <p>Events are delivered asynchronously ({@code postEvent}); a subscriber never delays the publisher.
 */
public final class Topics {
    public static final String ALL = "cogwork/*";

    /** An engine service appeared. Properties: {@link #ENGINE_NAME}, {@link #ENGINE_VERSION}, {@link #BUNDLE}. */
    public static final String ENGINE_ADDED = "cogwork/engine/ADDED";
    /** An engine service went away (bundle stopped, updated or removed). Same properties. */
    public static final String ENGINE_REMOVED = "cogwork/engine/REMOVED";

    /** A data source service appeared. Properties: {@link #SOURCE_ID}, {@link #SOURCE_KIND}, {@link #BUNDLE}. */
    public static final String CONNECTOR_ADDED = "cogwork/connector/ADDED";
    public static final String CONNECTOR_REMOVED = "cogwork/connector/REMOVED";
    /** A source's data changed (schedule or change detection). Properties: {@link #SOURCE_ID}, {@link #DATASET}. */
    public static final String CONNECTOR_REFRESHED = "cogwork/connector/REFRESHED";

    /** Properties: {@link #MODEL_NAME}, {@link #MODEL_VERSION}, {@link #RUN_ID}. */
    public static final String MODEL_VERSION_CREATED = "cogwork/model/VERSION_CREATED";
    /** Properties: {@link #MODEL_NAME}, {@link #ALIAS}, {@link #MODEL_VERSION}, {@link #PREVIOUS_VERSION}. */
    public static final String MODEL_ALIAS_MOVED = "cogwork/model/ALIAS_MOVED";
    /** Serving loaded or unloaded a model. Properties: {@link #MODEL_NAME}, {@link #MODEL_VERSION}. */
    public static final String MODEL_LOADED = "cogwork/model/LOADED";
    public static final String MODEL_UNLOADED = "cogwork/model/UNLOADED";

    /** A training job ended. Properties: {@link #JOB_ID}, {@link #JOB_STATUS}, {@link #ENGINE_NAME}. */
    public static final String TRAINING_FINISHED = "cogwork/training/FINISHED";

    /** Properties: {@link #RUN_ID}, {@link #RUN_STATUS}. */
    public static final String RUN_FINISHED = "cogwork/run/FINISHED";

    public static final String TIMESTAMP = "timestamp";
    public static final String BUNDLE = "bundle.symbolicName";
    public static final String ENGINE_NAME = "engine.name";
    public static final String ENGINE_VERSION = "engine.version";
    public static final String SOURCE_ID = "source.id";
    public static final String SOURCE_KIND = "source.kind";
    public static final String DATASET = "dataset";
    public static final String MODEL_NAME = "model.name";
    public static final String MODEL_VERSION = "model.version";
    public static final String PREVIOUS_VERSION = "model.previousVersion";
    public static final String ALIAS = "alias";
    public static final String RUN_ID = "run.id";
    public static final String RUN_STATUS = "run.status";
    public static final String JOB_ID = "job.id";
    public static final String JOB_STATUS = "job.status";

    private Topics() {
    }
}
