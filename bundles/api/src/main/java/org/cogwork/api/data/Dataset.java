package org.cogwork.api.data;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * A re-readable, streaming collection of rows with one schema. Each {@link #open()} starts a new pass, so
 * an engine can iterate several epochs without the platform holding every row in memory.
 *
 * <p>Implementations must allow {@link #open()} from any thread; each cursor is used by one thread.
 */
public interface Dataset {
    /** The schema of every row this dataset yields. */
    Schema schema();

    /** Starts a new pass over the rows. */
    RowCursor open();

    /** An in-memory dataset, for small data, tests and predictions. */
    static Dataset of(Schema schema, List<Row> rows) {
        List<Row> copy = List.copyOf(rows);
        for (Row r : copy) {
            if (!r.schema().equals(schema)) {
                throw new IllegalArgumentException("row schema " + r.schema() + " differs from " + schema);
            }
        }
        return new Dataset() {
            @Override
            public Schema schema() {
                return schema;
            }

            @Override
            public RowCursor open() {
                Iterator<Row> it = copy.iterator();
                return new RowCursor() {
                    @Override
                    public boolean hasNext() {
                        return it.hasNext();
                    }

                    @Override
                    public Row next() {
                        return it.next();
                    }

                    @Override
                    public void close() {
                    }
                };
            }
        };
    }

    /**
     * A lazy view of this dataset with {@code f} applied to each row as it is read; closing (and the bad-input
     * report of) a pass are those of the underlying pass.
     *
     * @param schema the schema of the rows {@code f} returns
     */
    default Dataset map(Schema schema, java.util.function.UnaryOperator<Row> f) {
        Dataset source = this;
        return new Dataset() {
            @Override
            public Schema schema() {
                return schema;
            }

            @Override
            public RowCursor open() {
                RowCursor c = source.open();
                return new RowCursor() {
                    @Override
                    public boolean hasNext() {
                        return c.hasNext();
                    }

                    @Override
                    public Row next() {
                        return f.apply(c.next());
                    }

                    @Override
                    public ReadReport report() {
                        return c.report();
                    }

                    @Override
                    public void close() {
                        c.close();
                    }
                };
            }
        };
    }

    /** Reads every row into a list: only for data known to be small. */
    default List<Row> toList() {
        List<Row> rows = new ArrayList<>();
        try (RowCursor c = open()) {
            c.forEachRemaining(rows::add);
        }
        return rows;
    }
}
