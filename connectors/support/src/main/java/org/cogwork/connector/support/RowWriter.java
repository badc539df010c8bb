package org.cogwork.connector.support;

import java.io.IOException;
import org.cogwork.api.data.Row;

/** Rows written one by one in a {@link TextFormat}; see {@link TextFormat#writer}. Not thread-safe. */
public interface RowWriter {
    void write(Row row) throws IOException;

    /** Hands what is buffered to the underlying writer and flushes it; does not close it. */
    void flush() throws IOException;
}
