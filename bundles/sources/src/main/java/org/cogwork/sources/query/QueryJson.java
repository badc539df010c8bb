package org.cogwork.sources.query;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.cogwork.api.query.Filter;
import org.cogwork.api.query.Query;
import org.cogwork.api.problem.ApiException;

/**
 * The query model as JSON:
 * <pre>{@code
 * {"select": ["Status", "Age"],
 *  "where": {"and": [{"column": "Age", "op": ">=", "value": 30},
 *                    {"column": "Home", "in": ["rent", "owner"]},
 *                    {"not": {"column": "Income", "isNull": true}}]},
 *  "orderBy": [{"column": "Age", "desc": true}], "limit": 10, "offset": 0}
 * }</pre>
 * Every mistake is a 400 naming its JSON path (e.g. {@code where.and[1].op}).
 */
public final class QueryJson {
    public static final int DEFAULT_LIMIT = 100;
    public static final int MAX_LIMIT = 10_000;
    private static final Map<String, Filter.Op> OPS = Map.ofEntries(
            Map.entry("=", Filter.Op.EQ), Map.entry("==", Filter.Op.EQ), Map.entry("eq", Filter.Op.EQ),
            Map.entry("!=", Filter.Op.NE), Map.entry("<>", Filter.Op.NE), Map.entry("ne", Filter.Op.NE),
            Map.entry("<", Filter.Op.LT), Map.entry("lt", Filter.Op.LT), Map.entry("<=", Filter.Op.LE),
            Map.entry("le", Filter.Op.LE), Map.entry(">", Filter.Op.GT), Map.entry("gt", Filter.Op.GT),
            Map.entry(">=", Filter.Op.GE), Map.entry("ge", Filter.Op.GE));
    private static final Set<String> TOP = Set.of("select", "where", "orderBy", "limit", "offset");

    private QueryJson() {
    }

    /** Parses a query page request; the limit defaults to {@value #DEFAULT_LIMIT} and may not exceed {@value #MAX_LIMIT}. */
    public static Query parse(JsonNode body) {
        return parse(body, "", (long) DEFAULT_LIMIT, MAX_LIMIT);
    }

    /**
     * Parses a query that reads its whole result (a training spec's): no default limit and no cap.
     *
     * @param path JSON path of the query in the request (e.g. {@code query}), prefixed to error fields
     */
    public static Query parseUnpaged(JsonNode body, String path) {
        return parse(body, path + ".", null, Long.MAX_VALUE);
    }

    private static Query parse(JsonNode body, String prefix, Long defaultLimit, long maxLimit) {
        try {
            return parseQuery(body, defaultLimit, maxLimit);
        } catch (ApiException e) {
            throw new ApiException(e.status(), e.getMessage(), e.field() == null ? null : prefix + e.field(), e.detail());
        }
    }

    private static Query parseQuery(JsonNode body, Long defaultLimit, long maxLimit) {
        if (body == null || body.isMissingNode() || body.isNull()) {
            return new Query(List.of(), null, List.of(), defaultLimit, 0);
        }
        if (!body.isObject()) {
            throw ApiException.badRequest("body", "a query must be a JSON object");
        }
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!TOP.contains(f)) {
                throw ApiException.badRequest(f, "unknown query field '" + f + "'; use " + TOP);
            }
        }
        List<String> select = new ArrayList<>();
        JsonNode s = body.path("select");
        if (!s.isMissingNode()) {
            if (!s.isArray()) {
                throw ApiException.badRequest("select", "select must be an array of column names");
            }
            for (int i = 0; i < s.size(); i++) {
                select.add(text(s.get(i), "select[" + i + "]"));
            }
        }
        Filter where = body.hasNonNull("where") ? filter(body.get("where"), "where") : null;
        List<Query.Order> order = new ArrayList<>();
        JsonNode o = body.path("orderBy");
        if (!o.isMissingNode()) {
            if (!o.isArray()) {
                throw ApiException.badRequest("orderBy", "orderBy must be an array of {\"column\": ..., \"desc\": false}");
            }
            for (int i = 0; i < o.size(); i++) {
                String path = "orderBy[" + i + "]";
                JsonNode e = o.get(i);
                order.add(new Query.Order(text(e.path("column"), path + ".column"), e.path("desc").asBoolean(false)));
            }
        }
        Long limit = body.hasNonNull("limit") ? Long.valueOf(longValue(body, "limit", 0)) : defaultLimit;
        if (limit != null && (limit < 0 || limit > maxLimit)) {
            throw ApiException.badRequest("limit", "limit must be between 0 and " + maxLimit + " per page, was " + limit
                    + "; use offset to page");
        }
        long offset = longValue(body, "offset", 0);
        if (offset < 0) {
            throw ApiException.badRequest("offset", "offset must be >= 0, was " + offset);
        }
        return new Query(select, where, order, limit, offset);
    }

    private static long longValue(JsonNode body, String field, long dflt) {
        JsonNode n = body.path(field);
        if (n.isMissingNode() || n.isNull()) {
            return dflt;
        }
        if (!n.isIntegralNumber()) {
            throw ApiException.badRequest(field, field + " must be a whole number, was " + n);
        }
        return n.longValue();
    }

    static Filter filter(JsonNode n, String path) {
        if (!n.isObject()) {
            throw ApiException.badRequest(path, "a filter must be a JSON object");
        }
        if (n.has("and") || n.has("or")) {
            String key = n.has("and") ? "and" : "or";
            JsonNode list = n.get(key);
            if (!list.isArray() || list.isEmpty()) {
                throw ApiException.badRequest(path + "." + key, key + " needs a non-empty array of filters");
            }
            List<Filter> parts = new ArrayList<>();
            for (int i = 0; i < list.size(); i++) {
                parts.add(filter(list.get(i), path + "." + key + "[" + i + "]"));
            }
            return key.equals("and") ? new Filter.And(parts) : new Filter.Or(parts);
        }
        if (n.has("not")) {
            return new Filter.Not(filter(n.get("not"), path + ".not"));
        }
        String column = text(n.path("column"), path + ".column");
        if (n.has("isNull")) {
            return new Filter.IsNull(column, !n.get("isNull").asBoolean(true));
        }
        if (n.has("in")) {
            JsonNode values = n.get("in");
            if (!values.isArray()) {
                throw ApiException.badRequest(path + ".in", "in needs an array of values");
            }
            List<Object> list = new ArrayList<>();
            for (int i = 0; i < values.size(); i++) {
                list.add(scalar(values.get(i), path + ".in[" + i + "]"));
            }
            return new Filter.In(column, list);
        }
        String opText = text(n.path("op"), path + ".op");
        Filter.Op op = OPS.get(opText.toLowerCase(java.util.Locale.ROOT));
        if (op == null) {
            throw ApiException.badRequest(path + ".op", "unknown operator '" + opText + "'; use =, !=, <, <=, >, >=");
        }
        if (!n.has("value") || n.get("value").isNull()) {
            throw ApiException.badRequest(path + ".value", "a comparison needs a value; to test for missing values use \"isNull\": true");
        }
        return new Filter.Compare(column, op, scalar(n.get("value"), path + ".value"));
    }

    private static Object scalar(JsonNode v, String path) {
        if (v.isTextual()) {
            return v.asText();
        }
        if (v.isBoolean()) {
            return v.asBoolean();
        }
        if (v.isIntegralNumber()) {
            return v.longValue();
        }
        if (v.isNumber()) {
            return v.doubleValue();
        }
        throw ApiException.badRequest(path, "expected a string, number or boolean, was " + v);
    }

    private static String text(JsonNode v, String path) {
        if (v == null || !v.isTextual() || v.asText().isBlank()) {
            throw ApiException.badRequest(path, path + " must be a column name");
        }
        return v.asText();
    }
}
