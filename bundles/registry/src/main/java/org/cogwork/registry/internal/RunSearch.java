package org.cogwork.registry.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * MLflow's run search filter and order-by subset, compiled to SQL over {@code runs r} with named bindings.
 *
 * <p>Filter: clauses joined by {@code and}; each {@code <entity>.<key> <op> <value>} with entity {@code metrics}
 * ({@code metric}), {@code params} ({@code param}), {@code tags} ({@code tag}) or {@code attributes}
 * ({@code attribute}, {@code attr}: {@code status}, {@code run_name}, {@code run_id}, {@code start_time},
 * {@code end_time}); keys with other characters in backticks or double quotes; ops {@code = != < <= > >=}, plus
 * {@code LIKE} and {@code ILIKE} on strings. Metrics compare the latest value (MLflow's semantics); a run without
 * the metric, parameter or tag never matches. Order: {@code <entity>.<key> [ASC|DESC]}, runs without the value
 * last, then newest first.
 */
final class RunSearch {
    private static final Pattern CLAUSE = Pattern.compile(
            "\\s*(\\w+)\\.(`[^`]+`|\"[^\"]+\"|[\\w\\-./:]+)\\s*(<=|>=|!=|=|<|>|(?i:ilike|like))\\s*(.+?)\\s*");
    private static final Pattern ORDER = Pattern.compile(
            "\\s*(\\w+)\\.(`[^`]+`|\"[^\"]+\"|[\\w\\-./:]+)(?:\\s+(?i:(asc|desc)))?\\s*");
    private static final Pattern NUMBER = Pattern.compile("[-+]?(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?");

    final StringBuilder where = new StringBuilder();
    final List<String> order = new ArrayList<>();
    final Map<String, Object> binds = new LinkedHashMap<>();

    static RunSearch compile(String filter, List<String> orderBy) {
        RunSearch s = new RunSearch();
        if (filter != null && !filter.isBlank()) {
            for (String clause : splitAnd(filter)) {
                s.clause(clause);
            }
        }
        for (String o : orderBy) {
            s.orderBy(o);
        }
        s.order.add("r.start_time DESC");
        s.order.add("r.id ASC");
        return s;
    }

    private String bind(Object value) {
        String name = "b" + binds.size();
        binds.put(name, value);
        return ":" + name;
    }

    private static String entity(String e, String field) {
        return switch (e.toLowerCase(Locale.ROOT)) {
            case "metrics", "metric" -> "metrics";
            case "params", "param", "parameters", "parameter" -> "params";
            case "tags", "tag" -> "tags";
            case "attributes", "attribute", "attr", "run" -> "attributes";
            default -> throw new InvalidField(field, field + ": unknown entity '" + e
                    + "' (use metrics., params., tags. or attributes.)");
        };
    }

    private static String key(String k) {
        if ((k.startsWith("`") && k.endsWith("`")) || (k.startsWith("\"") && k.endsWith("\""))) {
            return k.substring(1, k.length() - 1);
        }
        return k;
    }

    private void clause(String clause) {
        Matcher m = CLAUSE.matcher(clause);
        if (!m.matches()) {
            throw new InvalidField("filter", "filter: cannot parse '" + clause.strip()
                    + "' (expected e.g. metrics.accuracy > 0.8 or params.lr = '0.1')");
        }
        String entity = entity(m.group(1), "filter");
        String key = key(m.group(2));
        String op = m.group(3).toUpperCase(Locale.ROOT);
        String raw = m.group(4);
        where.append(" AND ");
        switch (entity) {
            case "metrics" -> {
                double v = number(raw, clause);
                requireComparison(op, clause);
                where.append("EXISTS (SELECT 1 FROM latest_metrics lm WHERE lm.run_id = r.id AND lm.metric_key = ")
                        .append(bind(key)).append(" AND lm.is_nan = FALSE AND lm.val ").append(op).append(' ')
                        .append(bind(v)).append(')');
            }
            case "params" -> where.append("EXISTS (SELECT 1 FROM params p WHERE p.run_id = r.id AND p.param_key = ")
                    .append(bind(key)).append(" AND ").append(compare("p.param_value", op, string(raw, clause))).append(')');
            case "tags" -> where.append("EXISTS (SELECT 1 FROM run_tags t WHERE t.run_id = r.id AND t.tag_key = ")
                    .append(bind(key)).append(" AND ").append(compare("t.tag_value", op, string(raw, clause))).append(')');
            default -> {
                switch (key.toLowerCase(Locale.ROOT)) {
                    case "status" -> where.append(compare("r.status", op, string(raw, clause).toUpperCase(Locale.ROOT)));
                    case "run_name", "name" -> where.append(compare("r.name", op, string(raw, clause)));
                    case "run_id", "id" -> where.append(compare("r.id", op, string(raw, clause)));
                    case "start_time", "end_time" -> {
                        requireComparison(op, clause);
                        where.append("r.").append(key.toLowerCase(Locale.ROOT)).append(' ').append(op).append(' ')
                                .append(bind((long) number(raw, clause)));
                    }
                    default -> throw new InvalidField("filter", "filter: unknown attribute '" + key
                            + "' (status, run_name, run_id, start_time, end_time)");
                }
            }
        }
    }

    private String compare(String column, String op, String value) {
        return switch (op) {
            case "LIKE" -> column + " LIKE " + bind(value);
            case "ILIKE" -> "LOWER(" + column + ") LIKE LOWER(" + bind(value) + ")";
            default -> column + " " + op + " " + bind(value);
        };
    }

    private static void requireComparison(String op, String clause) {
        if (op.endsWith("LIKE")) {
            throw new InvalidField("filter", "filter: " + op + " only compares strings, in '" + clause.strip() + "'");
        }
    }

    private static double number(String raw, String clause) {
        if (!NUMBER.matcher(raw).matches()) {
            throw new InvalidField("filter", "filter: expected a number in '" + clause.strip() + "', was " + raw);
        }
        return Double.parseDouble(raw);
    }

    private static String string(String raw, String clause) {
        if (raw.length() >= 2 && ((raw.startsWith("'") && raw.endsWith("'")) || (raw.startsWith("\"") && raw.endsWith("\"")))) {
            return raw.substring(1, raw.length() - 1);
        }
        throw new InvalidField("filter", "filter: expected a quoted string in '" + clause.strip() + "', was " + raw);
    }

    private void orderBy(String o) {
        Matcher m = ORDER.matcher(o);
        if (!m.matches()) {
            throw new InvalidField("order_by", "order_by: cannot parse '" + o + "' (expected e.g. metrics.accuracy DESC)");
        }
        String entity = entity(m.group(1), "order_by");
        String key = key(m.group(2));
        String dir = m.group(3) == null ? "ASC" : m.group(3).toUpperCase(Locale.ROOT);
        String expr = switch (entity) {
            case "metrics" -> "(SELECT CASE WHEN lm.is_nan THEN NULL ELSE lm.val END FROM latest_metrics lm WHERE lm.run_id = r.id AND lm.metric_key = "
                    + bind(key) + ")";
            case "params" -> "(SELECT p.param_value FROM params p WHERE p.run_id = r.id AND p.param_key = " + bind(key) + ")";
            case "tags" -> "(SELECT t.tag_value FROM run_tags t WHERE t.run_id = r.id AND t.tag_key = " + bind(key) + ")";
            default -> switch (key.toLowerCase(Locale.ROOT)) {
                case "start_time", "end_time", "status" -> "r." + key.toLowerCase(Locale.ROOT);
                case "run_name", "name" -> "r.name";
                case "run_id", "id" -> "r.id";
                default -> throw new InvalidField("order_by", "order_by: unknown attribute '" + key + "'");
            };
        };
        // Missing values last in both directions (databases disagree on where NULLs go).
        order.add("CASE WHEN " + expr + " IS NULL THEN 1 ELSE 0 END");
        order.add(expr + " " + dir);
    }

    /** Splits at {@code and} (any case) outside quotes. */
    static List<String> splitAnd(String filter) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        char quote = 0;
        for (int i = 0; i < filter.length(); i++) {
            char c = filter.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                }
                cur.append(c);
                continue;
            }
            if (c == '\'' || c == '"' || c == '`') {
                quote = c;
                cur.append(c);
                continue;
            }
            if (Character.isWhitespace(c) && filter.regionMatches(true, i + 1, "and", 0, 3)
                    && i + 4 < filter.length() && Character.isWhitespace(filter.charAt(i + 4))) {
                out.add(cur.toString());
                cur.setLength(0);
                i += 4;
                continue;
            }
            cur.append(c);
        }
        if (quote != 0) {
            throw new InvalidField("filter", "filter: unterminated quote in '" + filter + "'");
        }
        out.add(cur.toString());
        for (String s : out) {
            if (s.isBlank()) {
                throw new InvalidField("filter", "filter: empty clause in '" + filter + "'");
            }
        }
        return out;
    }
}
