package org.cogwork.api.data;

import java.util.Iterator;

/**
 * A forward-only pass over the rows of a {@link Dataset}. Holds a resource (a file, a result set, an HTTP
 * stream) until closed: always use it in try-with-resources. Not thread-safe.
 */
public interface RowCursor extends Iterator<Row>, AutoCloseable {
    /** Releases the underlying resource; idempotent, and never throws a checked exception. */
    @Override
    void close();

    /**
     * Bad input met so far on this pass (rows skipped, cells nulled, with line numbers). Sources that cannot
     * meet malformed input (a database) return {@link ReadReport#EMPTY}.
     */
    default ReadReport report() {
        return ReadReport.EMPTY;
    }
}
