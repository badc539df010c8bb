package org.cogwork.connector.jdbc;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.cogwork.api.query.Filter;
import org.cogwork.api.query.Query;
import org.cogwork.connector.support.BoundQuery;

/**
 * Translates a {@link BoundQuery} into one parameterised SELECT. Identifiers come from the table's schema
 * (never from the request) and are quoted; every value is a bind parameter.
 */
final class SqlDialect {
    private final String quote;

    SqlDialect(String identifierQuote) {
        this.quote = identifierQuote == null || identifierQuote.isBlank() ? "\"" : identifierQuote.trim();
    }

    /** The SQL statement and its parameters. */
    record Statement(String sql, List<Object> params) {
    }

    String quote(String identifier) {
        return quote + identifier.replace(quote, quote + quote) + quote;
    }

    String qualified(String schema, String table) {
        return schema == null || schema.isBlank() ? quote(table) : quote(schema) + "." + quote(table);
    }

    Statement select(String from, BoundQuery q) {
        List<Object> params = new ArrayList<>();
        StringBuilder sql = new StringBuilder("SELECT ");
        List<String> cols = q.outputSchema().fields().stream().map(f -> quote(f.name())).toList();
        sql.append(String.join(", ", cols)).append(" FROM ").append(from);
        if (q.where() != null) {
            sql.append(" WHERE ").append(expr(q.where(), params));
        }
        if (!q.orderBy().isEmpty()) {
            List<String> keys = new ArrayList<>();
            for (Query.Order o : q.orderBy()) {
                // Missing values last in both directions, the same on every database and in memory.
                keys.add("CASE WHEN " + quote(o.column()) + " IS NULL THEN 1 ELSE 0 END");
                keys.add(quote(o.column()) + (o.descending() ? " DESC" : " ASC"));
            }
            sql.append(" ORDER BY ").append(String.join(", ", keys));
        }
        if (q.limit() != null || q.offset() > 0) {
            sql.append(" LIMIT ? OFFSET ?");
            params.add(q.limit() == null ? Long.MAX_VALUE : q.limit());
            params.add(q.offset());
        }
        return new Statement(sql.toString(), params);
    }

    private String expr(Filter f, List<Object> params) {
        if (f instanceof Filter.Compare c) {
            params.add(c.value());
            return quote(c.column()) + " " + op(c.op()) + " ?";
        }
        if (f instanceof Filter.In in) {
            if (in.values().isEmpty()) {
                return "1 = 0";
            }
            params.addAll(in.values());
            return quote(in.column()) + " IN (" + String.join(", ", java.util.Collections.nCopies(in.values().size(), "?")) + ")";
        }
        if (f instanceof Filter.IsNull n) {
            return quote(n.column()) + (n.negated() ? " IS NOT NULL" : " IS NULL");
        }
        if (f instanceof Filter.And a) {
            return join(a.filters(), " AND ", params);
        }
        if (f instanceof Filter.Or o) {
            return join(o.filters(), " OR ", params);
        }
        return "NOT (" + expr(((Filter.Not) f).filter(), params) + ")";
    }

    private String join(List<Filter> parts, String op, List<Object> params) {
        List<String> out = new ArrayList<>();
        for (Filter p : parts) {
            out.add(expr(p, params));
        }
        return "(" + String.join(op, out) + ")";
    }

    private static String op(Filter.Op op) {
        return switch (op) {
            case EQ -> "=";
            case NE -> "<>";
            case LT -> "<";
            case LE -> "<=";
            case GT -> ">";
            case GE -> ">=";
        };
    }

    /** The driver class for a JDBC URL, so no DriverManager lookup (which OSGi class loaders defeat) is needed. */
    static String driverFor(String url) {
        String u = url.toLowerCase(Locale.ROOT);
        if (u.startsWith("jdbc:h2:")) {
            return "org.h2.Driver";
        }
        if (u.startsWith("jdbc:postgresql:")) {
            return "org.postgresql.Driver";
        }
        if (u.startsWith("jdbc:mariadb:") || u.startsWith("jdbc:mysql:")) {
            return "org.mariadb.jdbc.Driver";
        }
        throw new IllegalArgumentException("url: unsupported database '" + url.split("//")[0]
                + "'; use jdbc:h2:, jdbc:postgresql: or jdbc:mariadb:");
    }
}
