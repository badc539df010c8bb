package org.cogwork.api.query;

import java.util.List;
import java.util.Objects;

/**
 * A row predicate of the query model. The same filter object is pushed down as parameterised SQL by the
 * JDBC connector and evaluated while streaming by the file and S3 connectors.
 */
public sealed interface Filter permits Filter.Compare, Filter.And, Filter.Or, Filter.Not, Filter.In, Filter.IsNull {

    /** Comparison operators. */
    enum Op { EQ, NE, LT, LE, GT, GE }

    /** {@code column op value}; a comparison with a missing value is false, as in SQL. */
    record Compare(String column, Op op, Object value) implements Filter {
        public Compare {
            Objects.requireNonNull(column, "column");
            Objects.requireNonNull(op, "op");
            Objects.requireNonNull(value, "value (use IsNull to test for missing values)");
        }
    }

    record And(List<Filter> filters) implements Filter {
        public And {
            filters = List.copyOf(filters);
        }
    }

    record Or(List<Filter> filters) implements Filter {
        public Or {
            filters = List.copyOf(filters);
        }
    }

    record Not(Filter filter) implements Filter {
        public Not {
            Objects.requireNonNull(filter, "filter");
        }
    }

    /** {@code column IN (values)}. */
    record In(String column, List<Object> values) implements Filter {
        public In {
            Objects.requireNonNull(column, "column");
            values = List.copyOf(values);
        }
    }

    /** {@code column IS NULL}, or {@code IS NOT NULL} when {@code negated}. */
    record IsNull(String column, boolean negated) implements Filter {
        public IsNull {
            Objects.requireNonNull(column, "column");
        }
    }

    static Filter eq(String column, Object value) {
        return new Compare(column, Op.EQ, value);
    }

    static Filter and(Filter... filters) {
        return new And(List.of(filters));
    }

    static Filter or(Filter... filters) {
        return new Or(List.of(filters));
    }
}
