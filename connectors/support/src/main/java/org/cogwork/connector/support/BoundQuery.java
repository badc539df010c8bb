package org.cogwork.connector.support;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.PriorityQueue;
import org.cogwork.api.data.Field;
import org.cogwork.api.data.ReadReport;
import org.cogwork.api.data.Row;
import org.cogwork.api.data.RowCursor;
import org.cogwork.api.data.Schema;
import org.cogwork.api.query.Filter;
import org.cogwork.api.query.Query;

/**
 * A {@link Query} checked against a schema: every column exists and every value has the column's type. The
 * bound filter carries converted values, ready to be pushed down as SQL parameters or evaluated on rows.
 *
 * <p>Semantics every connector shares: SQL's three-valued logic (a comparison with a missing value is
 * unknown, and only rows where the filter is true are returned); ordering puts missing values last.
 */
public final class BoundQuery {
    private final Schema input;
    private final Schema output;
    private final int[] projection;
    private final Filter where;
    private final List<Query.Order> orderBy;
    private final Long limit;
    private final long offset;

    private BoundQuery(Schema input, Schema output, int[] projection, Filter where, List<Query.Order> orderBy,
                       Long limit, long offset) {
        this.input = input;
        this.output = output;
        this.projection = projection;
        this.where = where;
        this.orderBy = orderBy;
        this.limit = limit;
        this.offset = offset;
    }

    /**
     * @throws IllegalArgumentException naming the unknown column or the value that does not match its column
     */
    public static BoundQuery bind(Query q, Schema schema) {
        List<Field> selected = new ArrayList<>();
        int[] projection;
        if (q.select().isEmpty()) {
            selected.addAll(schema.fields());
            projection = new int[schema.size()];
            for (int i = 0; i < projection.length; i++) {
                projection[i] = i;
            }
        } else {
            projection = new int[q.select().size()];
            for (int i = 0; i < projection.length; i++) {
                String c = q.select().get(i);
                projection[i] = index(schema, c, "select");
                selected.add(schema.fields().get(projection[i]));
            }
        }
        for (Query.Order o : q.orderBy()) {
            index(schema, o.column(), "orderBy");
        }
        Filter where = q.where() == null ? null : bindFilter(q.where(), schema);
        return new BoundQuery(schema, new Schema(selected), projection, where, q.orderBy(), q.limit(), q.offset());
    }

    private static int index(Schema schema, String column, String clause) {
        int i = column == null ? -1 : schema.indexOf(column);
        if (i < 0) {
            List<String> names = schema.fields().stream().map(Field::name).toList();
            throw new IllegalArgumentException("unknown column '" + column + "' in " + clause + "; columns are " + names);
        }
        return i;
    }

    private static Filter bindFilter(Filter f, Schema schema) {
        if (f instanceof Filter.Compare c) {
            Field field = schema.fields().get(index(schema, c.column(), "where"));
            return new Filter.Compare(c.column(), c.op(), Values.coerce(c.value(), field.type(), c.column()));
        }
        if (f instanceof Filter.In in) {
            Field field = schema.fields().get(index(schema, in.column(), "where"));
            List<Object> values = new ArrayList<>();
            for (Object v : in.values()) {
                if (v == null) {
                    throw new IllegalArgumentException("'in' on column '" + in.column() + "' lists null; use isNull");
                }
                values.add(Values.coerce(v, field.type(), in.column()));
            }
            return new Filter.In(in.column(), values);
        }
        if (f instanceof Filter.IsNull n) {
            index(schema, n.column(), "where");
            return n;
        }
        if (f instanceof Filter.And a) {
            return new Filter.And(a.filters().stream().map(x -> bindFilter(x, schema)).toList());
        }
        if (f instanceof Filter.Or o) {
            return new Filter.Or(o.filters().stream().map(x -> bindFilter(x, schema)).toList());
        }
        return new Filter.Not(bindFilter(((Filter.Not) f).filter(), schema));
    }

    public Schema inputSchema() {
        return input;
    }

    /** The schema of result rows (the selected columns). */
    public Schema outputSchema() {
        return output;
    }

    /** The filter with converted values, or {@code null} for all rows. */
    public Filter where() {
        return where;
    }

    public List<Query.Order> orderBy() {
        return orderBy;
    }

    public Long limit() {
        return limit;
    }

    public long offset() {
        return offset;
    }

    /** Whether the filter is true for the row (unknown counts as not true). */
    public boolean matches(Row row) {
        return where == null || Boolean.TRUE.equals(eval(where, row));
    }

    private Boolean eval(Filter f, Row row) {
        if (f instanceof Filter.Compare c) {
            Object v = row.get(input.indexOf(c.column()));
            if (v == null) {
                return null;
            }
            int cmp = Values.compare(v, c.value());
            return switch (c.op()) {
                case EQ -> cmp == 0;
                case NE -> cmp != 0;
                case LT -> cmp < 0;
                case LE -> cmp <= 0;
                case GT -> cmp > 0;
                case GE -> cmp >= 0;
            };
        }
        if (f instanceof Filter.In in) {
            Object v = row.get(input.indexOf(in.column()));
            if (v == null) {
                return null;
            }
            for (Object x : in.values()) {
                if (Values.compare(v, x) == 0) {
                    return true;
                }
            }
            return false;
        }
        if (f instanceof Filter.IsNull n) {
            return (row.get(input.indexOf(n.column())) == null) != n.negated();
        }
        if (f instanceof Filter.And a) {
            Boolean result = true;
            for (Filter x : a.filters()) {
                Boolean b = eval(x, row);
                if (Boolean.FALSE.equals(b)) {
                    return false;
                }
                if (b == null) {
                    result = null;
                }
            }
            return result;
        }
        if (f instanceof Filter.Or o) {
            Boolean result = false;
            for (Filter x : o.filters()) {
                Boolean b = eval(x, row);
                if (Boolean.TRUE.equals(b)) {
                    return true;
                }
                if (b == null) {
                    result = null;
                }
            }
            return result;
        }
        Boolean inner = eval(((Filter.Not) f).filter(), row);
        return inner == null ? null : !inner;
    }

    /** Orders rows by the query's keys, missing values last in both directions. */
    public Comparator<Row> comparator() {
        Comparator<Row> c = (a, b) -> 0;
        for (Query.Order o : orderBy) {
            int i = input.indexOf(o.column());
            Comparator<Row> key = (a, b) -> {
                Object x = a.get(i);
                Object y = b.get(i);
                if (x == null || y == null) {
                    return x == null ? (y == null ? 0 : 1) : -1;
                }
                int cmp = Values.compare(x, y);
                return o.descending() ? -cmp : cmp;
            };
            c = c.thenComparing(key);
        }
        return c;
    }

    public Row project(Row row) {
        Object[] values = new Object[projection.length];
        for (int i = 0; i < projection.length; i++) {
            values[i] = row.get(projection[i]);
        }
        return new Row(output, values);
    }

    /**
     * Evaluates the whole query over a pass of the source's rows. Without ordering it streams in constant
     * memory; with ordering and a limit it keeps only {@code offset + limit} rows; ordering without a limit
     * sorts every matching row in memory.
     */
    public RowCursor apply(RowCursor source) {
        if (orderBy.isEmpty()) {
            return new Streaming(source);
        }
        List<Row> rows = new ArrayList<>();
        Comparator<Row> cmp = comparator();
        if (limit != null) {
            long keep = offset + limit;
            PriorityQueue<Row> heap = new PriorityQueue<>(cmp.reversed());
            while (source.hasNext()) {
                Row r = source.next();
                if (keep > 0 && matches(r)) {
                    heap.add(r);
                    if (heap.size() > keep) {
                        heap.poll();
                    }
                }
            }
            rows.addAll(heap);
        } else {
            while (source.hasNext()) {
                Row r = source.next();
                if (matches(r)) {
                    rows.add(r);
                }
            }
        }
        rows.sort(cmp);
        List<Row> page = rows.subList((int) Math.min(offset, rows.size()), rows.size());
        Iterator<Row> it = page.stream().map(this::project).toList().iterator();
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
            public ReadReport report() {
                return source.report();
            }

            @Override
            public void close() {
                source.close();
            }
        };
    }

    private final class Streaming implements RowCursor {
        private final RowCursor source;
        private long skipped;
        private long delivered;
        private Row next;

        Streaming(RowCursor source) {
            this.source = source;
        }

        @Override
        public boolean hasNext() {
            if (limit != null && delivered >= limit) {
                return false;
            }
            while (next == null && source.hasNext()) {
                Row r = source.next();
                if (matches(r)) {
                    if (skipped < offset) {
                        skipped++;
                    } else {
                        next = project(r);
                    }
                }
            }
            return next != null;
        }

        @Override
        public Row next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            Row r = next;
            next = null;
            delivered++;
            return r;
        }

        @Override
        public ReadReport report() {
            return source.report();
        }

        @Override
        public void close() {
            source.close();
        }
    }
}
