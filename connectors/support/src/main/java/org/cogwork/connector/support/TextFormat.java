package org.cogwork.connector.support;

import java.io.IOException;
import java.io.Reader;
import java.util.Map;
import org.cogwork.api.data.DataType;
import org.cogwork.api.data.RowCursor;
import org.cogwork.api.data.Schema;

/** A text format a file or object is stored in (CSV, JSON Lines). Implementations are stateless. */
public interface TextFormat {
    String name();

    /**
     * Infers the schema from the first {@code sampleRows} records. Closes {@code in}.
     *
     * @throws IllegalArgumentException when an override names a column that does not exist
     */
    Schema infer(Reader in, int sampleRows, Map<String, DataType> overrides) throws IOException;

    /** A streaming pass that parses values as {@code schema} says and applies {@code policy}; the cursor closes {@code in}. */
    RowCursor open(Reader in, Schema schema, OnError policy) throws IOException;
}
