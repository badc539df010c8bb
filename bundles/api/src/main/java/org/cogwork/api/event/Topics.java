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
    /**
     * Serving loaded a model version into memory (on its first request on this node). Properties:
     * {@link #MODEL_NAME}, {@link #MODEL_VERSION}, {@link #ENGINE_NAME}.
     */
    public static final String MODEL_LOADED = "cogwork/model/LOADED";
    /**
     * Serving dropped a loaded model version; it is loaded again on its next request. Properties:
     * {@link #MODEL_NAME}, {@link #MODEL_VERSION}, {@link #REASON}: {@value #REASON_EVICTED} (the least recently
     * used beyond the cache size, or a version no alias or traffic policy routes to once another version of its
     * model loads), {@value #REASON_ENGINE_GONE} (its engine was stopped, updated or removed),
     * {@value #REASON_DELETED} (deleted from the registry) or {@value #REASON_STOPPED} (serving itself stopped or
     * was reconfigured).
     */
    public static final String MODEL_UNLOADED = "cogwork/model/UNLOADED";
    /**
     * A registered model, or one version of it, was deleted (serving unloads what it had loaded of it). Properties:
     * {@link #MODEL_NAME}, {@link #MODEL_VERSION} (absent when the whole model was deleted), {@link #USER}.
     *
     * @since 0.3
     */
    public static final String MODEL_DELETED = "cogwork/model/DELETED";
    /** @since 0.2 */
    public static final String REASON_EVICTED = "evicted";
    /** @since 0.2 */
    public static final String REASON_ENGINE_GONE = "engine-gone";
    /** @since 0.2 */
    public static final String REASON_STOPPED = "stopped";
    /** The version or its model was deleted from the registry. @since 0.3 */
    public static final String REASON_DELETED = "deleted";

    /**
     * A model's traffic policy was set or cleared. Properties: {@link #MODEL_NAME}, {@link #USER} (who changed
     * it), {@link #POLICY} (the policy as JSON, {@code {"split": [{"version", "weight"}], "shadow": [version]}};
     * absent when the policy was cleared).
     *
     * @since 0.2
     */
    public static final String TRAFFIC_CHANGED = "cogwork/model/TRAFFIC_CHANGED";

    /**
     * Feedback on a logged prediction was stored. Properties: {@link #FEEDBACK_ID}, {@link #PREDICTION_ID},
     * {@link #MODEL_NAME} and {@link #MODEL_VERSION} (of the prediction), {@link #USER} (the feedback's author).
     *
     * @since 0.2
     */
    public static final String FEEDBACK_RECEIVED = "cogwork/feedback/RECEIVED";

    /**
     * A training job started running. Properties: {@link #JOB_ID}, {@link #ENGINE_NAME}, {@link #RUN_ID} (when
     * tracked), {@link #USER} (when submitted by someone).
     *
     * @since 0.2
     */
    public static final String TRAINING_STARTED = "cogwork/training/STARTED";

    /**
     * A training job ended. Properties: {@link #JOB_ID}, {@link #JOB_STATUS}, {@link #ENGINE_NAME}, and when known
     * {@link #RUN_ID}, {@link #MODEL_NAME} and {@link #MODEL_VERSION} (the version it registered), {@link #USER},
     * {@link #REASON} (why it did not succeed).
     */
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
    /** @since 0.2 */
    public static final String USER = "user";
    /** @since 0.2 */
    public static final String REASON = "reason";
    /** @since 0.2 */
    public static final String POLICY = "policy";
    /** @since 0.2 */
    public static final String FEEDBACK_ID = "feedback.id";
    /** @since 0.2 */
    public static final String PREDICTION_ID = "prediction.id";

    private Topics() {
    }
}
