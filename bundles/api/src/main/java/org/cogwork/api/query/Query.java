package org.cogwork.api.query;

import java.util.List;

/**
 * A source-independent query: which columns, which rows, in which order, how many.
 *
 * @param select columns to return, in order; empty means all columns
 * @param where row filter, {@code null} for all rows
 * @param orderBy sort keys, empty for the source's natural order
 * @param limit maximum number of rows, {@code null} for no limit
 * @param offset rows to skip after ordering, {@code >= 0}
 */
public record Query(List<String> select, Filter where, List<Order> orderBy, Long limit, long offset) {
    public Query {
        select = select == null ? List.of() : List.copyOf(select);
        orderBy = orderBy == null ? List.of() : List.copyOf(orderBy);
        if (limit != null && limit < 0) {
            throw new IllegalArgumentException("limit must be >= 0, was " + limit);
        }
        if (offset < 0) {
            throw new IllegalArgumentException("offset must be >= 0, was " + offset);
        }
    }

    /** A sort key. */
    public record Order(String column, boolean descending) {
    }

    /** Every row and column. */
    public static Query all() {
        return new Query(List.of(), null, List.of(), null, 0);
    }
}
