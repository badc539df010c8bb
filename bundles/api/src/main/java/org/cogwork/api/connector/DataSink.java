package org.cogwork.api.connector;

import java.util.Iterator;
import org.cogwork.api.data.Dataset;
import org.cogwork.api.data.Row;
import org.cogwork.api.data.RowCursor;
import org.cogwork.api.data.Schema;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A data source that can also write datasets: the one write path of the platform (labelled sets from active
 * learning, exports), implemented by the file and S3 connectors. A sink is a {@link DataSource} because what it
 * writes must be readable back by the same source: a connector publishes it under both service names
 * ({@code service = {DataSource.class, DataSink.class}}), with the same {@link #SOURCE_ID} and
 * {@link #SOURCE_KIND} properties, so a consumer that needs to write asks for a {@code DataSink} and every
 * consumer of sources keeps finding it as a {@code DataSource}.
 *
 * <p>The contract every sink keeps:
 * <ul>
 * <li><b>Atomic.</b> A reader sees the previous dataset or the complete new one, never a partial one. A write that
 * fails (the rows' iterator throws, an invalid row, an I/O error) leaves nothing visible: a new dataset does not
 * appear and a replaced one is left as it was.</li>
 * <li><b>Never a silent overwrite.</b> {@link WriteOptions.Mode#CREATE} refuses a dataset that exists, before
 * any row is consumed, and again atomically at publication where the store allows it (a concurrent writer of the
 * same name loses with the same exception); {@link WriteOptions.Mode#REPLACE} creates or replaces.</li>
 * <li><b>Round trip.</b> Once {@code write} returns, {@link #schema(String)} is the schema written (names, types
 * and nullability) and {@link #read(String, org.cogwork.api.query.Query)} yields the rows written, in order, with
 * equal values; missing values stay missing. A format may narrow what survives (a connector's documentation says
 * what, e.g. an empty string in CSV reads back as a missing value).</li>
 * <li><b>Names stay inside the source.</b> A dataset name is relative: a name that is absolute, has empty,
 * {@code .} or {@code ..} segments, or otherwise could reach outside the source's folder, prefix or schema is
 * refused with an {@link IllegalArgumentException} naming it, before anything is written.</li>
 * </ul>
 *
 * <p>Rows are written in the order the iterator yields them. Each row's schema must have the field names and
 * types of {@code schema}, in order, and its values the Java types {@link org.cogwork.api.data.DataType}
 * documents ({@code null} for a missing value, refused in a field that is not nullable); otherwise an
 * {@link IllegalArgumentException} names the row (1-based) and the column, and nothing is published. The sink
 * never closes the iterator: whoever opened a {@link RowCursor} closes it. The rows may come from a read of the
 * very dataset being replaced.
 *
 * <p>Thread-safe: writes of different datasets run in parallel; two writes of one dataset never mix (with
 * {@code REPLACE} the last to publish wins, with {@code CREATE} one of them fails).
 *
 * <pre>{@code
 * DataSink lake = ...; // @Reference(target = "(cogwork.source.id=lake)")
 * try (RowCursor rows = source.read("credit_data.csv", query).open()) {
 *     WriteReport r = lake.write("labels/round-3.csv.gz", schema, rows, WriteOptions.create());
 * }
 * }</pre>
 *
 * @since 0.2
 */
@ConsumerType
public interface DataSink extends DataSource {
    /**
     * Writes {@code rows} as the dataset {@code dataset}, atomically.
     *
     * @param dataset the name to write, as {@link #read} takes it; connectors may require a suffix that says the
     *     format (the file and S3 connectors: {@code .csv}, {@code .jsonl} or {@code .ndjson}, optionally
     *     {@code .gz})
     * @param schema the columns of every row
     * @param rows the rows, consumed once and not closed
     * @param options how to treat an existing dataset
     * @return what was written
     * @throws DatasetExistsException with {@link WriteOptions.Mode#CREATE} when the dataset exists
     * @throws IllegalArgumentException naming the dataset when the name is not allowed, the column when the
     *     schema cannot be written (e.g. a {@code VECTOR} column in a text format), or the row and column when a
     *     row does not match the schema
     * @throws DataSourceException when the store cannot be written; the message says what to check
     * @throws RuntimeException whatever {@code rows} throws, unchanged, after the partial write is removed
     */
    WriteReport write(String dataset, Schema schema, Iterator<? extends Row> rows, WriteOptions options)
            throws DataSourceException;

    /**
     * Writes one pass over {@code data} (opened and closed here): e.g. the result of a query on any source.
     *
     * @see #write(String, Schema, Iterator, WriteOptions)
     */
    default WriteReport write(String dataset, Dataset data, WriteOptions options) throws DataSourceException {
        try (RowCursor rows = data.open()) {
            return write(dataset, data.schema(), rows, options);
        }
    }
}
