package org.cogwork.connector.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.cogwork.api.connector.DataSource;
import org.cogwork.api.connector.UnknownDatasetException;
import org.cogwork.api.data.RowCursor;
import org.cogwork.api.data.Schema;
import org.cogwork.api.query.Filter;
import org.cogwork.api.query.Query;
import org.cogwork.connector.file.FileSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The query model must give the same answers from every connector: the contract suite a connector author subclasses
 * in a test. The file connector reading {@code credit_data.csv} is the reference; the connector under test holds the
 * same rows (loaded by the subclass into its table, bucket or file: {@link #reference} reads them, {@link #schema} is
 * their schema), then every query of {@link #QUERIES} runs against both. The data's folder is the system property
 * {@code cogwork.data} ({@link ContractData}).
 *
 * <pre>{@code
 * class MyContractTest extends QueryContract {
 *     static MySource source;
 *     protected DataSource source() throws Exception {
 *         if (source == null) { source = ...; load(reference rows into it); }
 *         return source;
 *     }
 *     protected String dataset() { return "credit_data"; }
 * }
 * }</pre>
 */
public abstract class QueryContract {
    /** The table name the repository's database runs load the rows into. */
    protected static final String TABLE = "credit_data";
    /** The dataset name of the reference. */
    protected static final String FILE = "credit_data.csv";

    /** A temporary folder for the class: a database's files, a connector's data folder. */
    @TempDir
    protected static Path tmp;
    /** The reference connector: the file connector on {@code credit_data.csv}. */
    protected static FileSource reference;
    /** The schema of the credit data as the reference infers it. */
    protected static Schema schema;

    /** The connector under test, loaded with the credit data (or aborted with the reason it cannot run). */
    protected abstract DataSource source() throws Exception;

    /** The name of the credit data in the connector under test. */
    protected abstract String dataset();

    @BeforeAll
    static void reference() throws Exception {
        reference = ContractData.fileSource("reference", ContractData.credit());
        schema = reference.schema(FILE);
    }

    /** Query, and whether its order is total (compare as lists) or not (compare as multisets). */
    protected record Case(String name, Query query, boolean ordered) {
    }

    protected static final List<String> KEY = List.of("Income", "Amount", "Price", "Age", "Seniority", "Expenses", "Time", "Assets", "Debt");

    static Query.Order desc(String c) {
        return new Query.Order(c, true);
    }

    static Query.Order asc(String c) {
        return new Query.Order(c, false);
    }

    protected static final List<Case> QUERIES = List.of(
            new Case("every row", Query.all(), false),
            new Case("equality on a category", new Query(List.of("Status", "Age"), Filter.eq("Status", "bad"), List.of(), null, 0), false),
            new Case("and / in / not null", new Query(List.of("Status", "Age", "Income", "Home"), Filter.and(
                    new Filter.Compare("Age", Filter.Op.GE, 30), new Filter.In("Home", List.of("rent", "owner")),
                    new Filter.IsNull("Income", true)), List.of(), null, 0), false),
            new Case("or across missing values", new Query(List.of("Income", "Assets"), Filter.or(
                    new Filter.Compare("Income", Filter.Op.LT, 100), new Filter.Compare("Assets", Filter.Op.GT, 10000)),
                    List.of(), null, 0), false),
            new Case("not with missing values", new Query(List.of("Debt", "Amount"),
                    new Filter.Not(new Filter.Compare("Debt", Filter.Op.GT, 0)), List.of(), null, 0), false),
            new Case("is null", new Query(List.of("Status", "Income"), new Filter.IsNull("Income", false), List.of(), null, 0), false),
            new Case("not equal skips missing", new Query(List.of("Marital"), new Filter.Compare("Marital", Filter.Op.NE, "married"),
                    List.of(), null, 0), false),
            new Case("in on integers", new Query(List.of("Time", "Amount"), new Filter.In("Time", List.of(12L, 24L, 36L)),
                    List.of(), null, 0), false),
            new Case("double comparison on an integer column", new Query(List.of("Age"),
                    new Filter.Compare("Age", Filter.Op.LE, 20.5), List.of(), null, 0), false),
            new Case("top 10 after 5 by a total key", new Query(List.of(), null,
                    List.of(desc("Income"), desc("Amount"), desc("Price"), asc("Age"), asc("Seniority"), asc("Expenses"),
                            asc("Time"), asc("Assets"), asc("Debt")), 10L, 5), true),
            new Case("tail by offset without limit", new Query(List.of(), new Filter.Compare("Status", Filter.Op.EQ, "bad"),
                    List.of(asc("Income"), asc("Amount"), asc("Price"), asc("Age"), asc("Seniority"), asc("Expenses"),
                            asc("Time"), asc("Assets"), asc("Debt")), null, 1250), true));

    protected static List<List<Object>> rows(DataSource s, String dataset, Query q) throws Exception {
        List<List<Object>> out = new ArrayList<>();
        try (RowCursor c = s.read(dataset, q).open()) {
            while (c.hasNext()) {
                out.add(Arrays.asList(c.next().values()));
            }
        }
        return out;
    }

    static List<List<Object>> sorted(List<List<Object>> rows) {
        List<List<Object>> copy = new ArrayList<>(rows);
        copy.sort(Comparator.comparing(Object::toString));
        return copy;
    }

    /** Every query of {@link #QUERIES}: the same rows as the reference (in order where the order is total). */
    @Test
    void sameAnswersAsTheReference() throws Exception {
        DataSource s = source();
        for (Case c : QUERIES) {
            List<List<Object>> expected = rows(reference, FILE, c.query());
            List<List<Object>> actual = rows(s, dataset(), c.query());
            assertTrue(!expected.isEmpty(), c.name() + ": the reference returns rows");
            if (c.ordered()) {
                assertEquals(expected, actual, c.name());
            } else {
                assertEquals(sorted(expected), sorted(actual), c.name());
            }
        }
        assertEquals(1254, rows(s, dataset(), QUERIES.get(1).query()).size());
        assertEquals(381, rows(s, dataset(), QUERIES.get(5).query()).size());
    }

    /** Missing values sort last ascending and do not come first descending. */
    @Test
    void missingValuesSortLast() throws Exception {
        Query q = new Query(List.of("Income"), null, List.of(asc("Income")), null, 0);
        List<List<Object>> r = rows(source(), dataset(), q);
        assertEquals(4454, r.size());
        assertTrue(r.get(4072).get(0) != null && r.get(4073).get(0) == null, "381 missing incomes last");
        Query d = new Query(List.of("Income"), null, List.of(desc("Income")), 3L, 0);
        assertNotEquals(null, rows(source(), dataset(), d).get(0).get(0));
    }

    /** The same column names; an unknown column, a value of the wrong type and an unknown dataset are refused. */
    @Test
    void sameSchemaNamesAndErrors() throws Exception {
        DataSource s = source();
        assertEquals(ContractData.names(schema), ContractData.names(s.schema(dataset())));
        assertEquals("unknown column 'Incme' in where; columns are " + ContractData.names(schema),
                assertThrows(IllegalArgumentException.class, () -> s.read(dataset(), new Query(List.of(),
                        Filter.eq("Incme", 1), List.of(), null, 0))).getMessage());
        assertThrows(IllegalArgumentException.class, () -> s.read(dataset(), new Query(List.of(),
                Filter.eq("Age", "old"), List.of(), null, 0)));
        assertThrows(UnknownDatasetException.class, () -> s.read("no_such_table", Query.all()));
        s.test();
    }
}
