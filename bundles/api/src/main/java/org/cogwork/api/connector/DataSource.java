package org.cogwork.api.connector;

import java.util.List;
import org.cogwork.api.data.Dataset;
import org.cogwork.api.data.Schema;
import org.cogwork.api.query.Query;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A configured data source (one per Config Admin factory configuration), published as a service by a
 * connector bundle with the properties {@link #SOURCE_ID} and {@link #SOURCE_KIND}. Thread-safe.
 * Secrets in its configuration are never returned by any method.
 */
@ConsumerType
public interface DataSource {
    String SOURCE_ID = "cogwork.source.id";
    String SOURCE_KIND = "cogwork.source.kind";

    String id();

    /** The connector kind, e.g. {@code "file"}, {@code "jdbc"}, {@code "s3"}. */
    String kind();

    List<DatasetInfo> datasets() throws DataSourceException;

    /** @throws UnknownDatasetException naming the dataset when it does not exist */
    Schema schema(String dataset) throws DataSourceException;

    /**
     * A streaming read of the query's result: rows are fetched while the cursor advances, so memory stays
     * constant whatever the size of the dataset.
     *
     * @throws IllegalArgumentException naming the column when the query refers to an unknown column or
     *     compares a column with a value of the wrong type
     */
    Dataset read(String dataset, Query query) throws DataSourceException;

    /** Checks the connection, with a bounded timeout; the exception message is meant for the user. */
    void test() throws DataSourceException;
}
