package org.cogwork.connector.support;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.util.Map;
import org.cogwork.api.data.DataType;
import org.cogwork.api.data.RowCursor;
import org.cogwork.api.data.Schema;

/** A text format a file or object is stored in (CSV, JSON Lines), read and written. Implementations are stateless. */
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

    /**
     * A writer of rows of {@code schema} in this format onto {@code out}, which {@link #open} reads back into equal
     * rows when given the same schema. Writes the header, if the format has one, at once. The writer never closes
     * {@code out}. Values must already be checked against the schema ({@link DatasetWriter} does).
     */
    RowWriter writer(Writer out, Schema schema) throws IOException;
}
