package org.cogwork.training.internal;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import org.cogwork.api.connector.DataSource;
import org.cogwork.api.connector.DataSourceException;
import org.cogwork.api.connector.UnknownDatasetException;
import org.cogwork.api.data.Field;
import org.cogwork.api.data.Schema;
import org.cogwork.api.problem.ApiException;

/**
 * Checks a spec's fixed test set against the live system at submission, so a mistake is a 400 naming
 * {@code test.source}, {@code test.dataset} (and the missing column) or {@code test.query} rather than a job that
 * fails after training: the source and dataset exist, the query binds, and the dataset has every column the job
 * reads from the training data (the features and the target), numeric where the training data's is numeric.
 */
final class TestSets {
    private TestSets() {
    }

    /**
     * @param training the training dataset's full schema
     */
    static void validate(Spec spec, Map<String, DataSource> sources, Schema training) {
        Spec.TestSet t = spec.test();
        if (t == null) {
            return;
        }
        DataSource source = sources.get(t.source());
        if (source == null) {
            throw ApiException.badRequest("test.source", "no data source '" + t.source() + "'; sources are " + new TreeSet<>(sources.keySet()));
        }
        Schema schema;
        try {
            schema = source.schema(t.dataset());
            source.read(t.dataset(), t.query());
        } catch (UnknownDatasetException e) {
            throw ApiException.badRequest("test.dataset", e.getMessage());
        } catch (DataSourceException e) {
            throw new ApiException(502, "source '" + t.source() + "' could not be read", "test.source", e.getMessage());
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("test.query", e.getMessage());
        }
        checkColumns(needed(spec, training), schema, "test.dataset", t.dataset(), spec.dataset());
    }

    /** The columns a job reads from the training data, each with what it is (for messages). */
    private static Map<Field, String> needed(Spec spec, Schema training) {
        Map<Field, String> needed = new LinkedHashMap<>();
        List<String> names = spec.features() != null ? spec.features() : training.fields().stream().map(Field::name).toList();
        for (String n : names) {
            training.field(n).ifPresent(f -> needed.put(f, "a feature"));
        }
        if (spec.target() != null) {
            training.field(spec.target()).ifPresent(f -> needed.put(f, "the target"));
        }
        return needed;
    }

    /**
     * Refuses a dataset that lacks one of the columns or holds text where numbers are needed.
     *
     * @param needed column (name and type as trained on) → what it is, e.g. "the target"
     * @throws ApiException a 400 naming {@code field} and the first column at fault
     */
    static void checkColumns(Map<Field, String> needed, Schema schema, String field, String dataset, String trainedOn) {
        List<String> columns = schema.fields().stream().map(Field::name).toList();
        for (Map.Entry<Field, String> e : needed.entrySet()) {
            Field want = e.getKey();
            Optional<Field> have = schema.field(want.name());
            if (have.isEmpty()) {
                throw ApiException.badRequest(field, "column '" + want.name() + "' (" + e.getValue() + ") is not in " + dataset
                        + "; columns are " + columns);
            }
            if (want.type().isNumeric() && !have.get().type().isNumeric()) {
                throw ApiException.badRequest(field, "column '" + want.name() + "' (" + e.getValue() + ") is " + have.get().type()
                        + " in " + dataset + " but " + want.type() + " in " + trainedOn + ": it must hold numbers");
            }
        }
    }
}
