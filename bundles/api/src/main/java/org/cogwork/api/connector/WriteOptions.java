package org.cogwork.api.connector;

import java.util.Objects;

/**
 * How a {@link DataSink} write treats a dataset that already exists. Immutable. A class rather than a bare mode
 * so that an option can be added later without changing {@link DataSink}, which connector bundles implement.
 *
 * <p>The format and compression are not options: the dataset name says them, as it does for reads (the file
 * and S3 connectors read and write {@code x.csv}, {@code x.jsonl}, {@code x.csv.gz}...), so what is written is
 * always read back the same way.
 *
 * @since 0.2
 */
public final class WriteOptions {
    /** What to do when the dataset exists. */
    public enum Mode {
        /** Write a new dataset; refuse with {@link DatasetExistsException} if one of that name exists. */
        CREATE,
        /** Write the dataset, atomically replacing one of that name if it exists. */
        REPLACE
    }

    private static final WriteOptions CREATE = new WriteOptions(Mode.CREATE);
    private static final WriteOptions REPLACE = new WriteOptions(Mode.REPLACE);

    private final Mode mode;

    private WriteOptions(Mode mode) {
        this.mode = mode;
    }

    /** A new dataset only: never overwrites. */
    public static WriteOptions create() {
        return CREATE;
    }

    /** Create, or atomically replace an existing dataset. */
    public static WriteOptions replace() {
        return REPLACE;
    }

    public static WriteOptions of(Mode mode) {
        return Objects.requireNonNull(mode, "mode") == Mode.CREATE ? CREATE : REPLACE;
    }

    public Mode mode() {
        return mode;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WriteOptions w && w.mode == mode;
    }

    @Override
    public int hashCode() {
        return mode.hashCode();
    }

    @Override
    public String toString() {
        return "WriteOptions[mode=" + mode + "]";
    }
}
