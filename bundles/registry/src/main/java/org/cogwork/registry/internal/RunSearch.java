package org.cogwork.registry.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.cogwork.api.problem.InvalidFieldException;

/**
 * MLflow's run search filter and order-by syntax, compiled to SQL over {@code runs r} with named bindings (every
 * value and key is a binding; only whitelisted columns and operators are written into the SQL).
 *
 * <p>Filter: comparisons joined by {@code AND} (any case). A comparison is {@code <identifier> <op> <value>}:
 * <ul>
 * <li>identifier: {@code <entity>.<key>} with entity {@code metrics} ({@code metric}), {@code params}
 * ({@code param}, {@code parameters}, {@code parameter}), {@code tags} ({@code tag}) or {@code attributes}
 * ({@code attribute}, {@code attr}, {@code run}); or a bare attribute name ({@code run_name = 'x'} means
 * {@code attributes.run_name = 'x'}, as in MLflow). A key with other characters than letters, digits and
 * {@code _ - . / :} goes in backticks or double quotes ({@code metrics.`f1 score`}).</li>
 * <li>attributes: {@code run_id}, {@code run_name} (also {@code "run name"}), {@code status}, {@code user_id}
 * (the {@code mlflow.user} tag), {@code start_time} (also {@code created}), {@code end_time}.</li>
 * <li>ops: {@code = != < <= > >=} on numbers (metrics, {@code start_time}, {@code end_time}) and strings
 * (parameters, tags, the string attributes); {@code LIKE} and {@code ILIKE} (case-insensitive) on strings;
 * {@code IN (...)} and {@code NOT IN (...)} with quoted strings on {@code run_id} only, as in MLflow.</li>
 * <li>values: numbers, or strings in single or double quotes (a quote inside is doubled: {@code 'it''s'}).</li>
 * </ul>
 * Metrics compare the latest value (MLflow's semantics); a run without the metric, parameter or tag never matches.
 * What MLflow's syntax does not have ({@code OR}, parentheses, {@code NOT} alone, {@code IS NULL}) and what
 * Cogwork does not record ({@code datasets.*}, the {@code artifact_uri} attribute) is refused with a message
 * naming it.
 *
 * <p>Order: each entry {@code <identifier> [ASC|DESC]} with the identifiers above (bare names are attributes:
 * {@code run_name ASC}); runs without the value last in both directions, then newest first, then by id.
 */
final class RunSearch {
    /** Bounds that keep a hostile query from making a statement the database chews on for minutes. */
    static final int MAX_LENGTH = 100_000;
    static final int MAX_CLAUSES = 100;
    static final int MAX_IN_VALUES = 1000;
    static final int MAX_ORDER_BY = 20;

    private static final Pattern NUMBER = Pattern.compile("[-+]?(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?");
    private static final Set<String> COMPARISONS = Set.of("=", "!=", "<", "<=", ">", ">=");
    private static final String ATTRIBUTES = "run_id, run_name, status, user_id, start_time, end_time";

    final StringBuilder where = new StringBuilder();
    final List<String> order = new ArrayList<>();
    final Map<String, Object> binds = new LinkedHashMap<>();

    static RunSearch compile(String filter, List<String> orderBy) {
        RunSearch s = new RunSearch();
        if (filter != null && !filter.isBlank()) {
            if (filter.length() > MAX_LENGTH) {
                throw new InvalidFieldException("filter", "filter: longer than " + MAX_LENGTH + " characters");
            }
            new Parser(filter, "filter").filter(s);
        }
        if (orderBy.size() > MAX_ORDER_BY) {
            throw new InvalidFieldException("order_by", "order_by: at most " + MAX_ORDER_BY + " entries");
        }
        for (String o : orderBy) {
            if (o == null || o.isBlank()) {
                throw new InvalidFieldException("order_by", "order_by: empty entry");
            }
            if (o.length() > 1000) {
                throw new InvalidFieldException("order_by", "order_by: entry longer than 1000 characters");
            }
            new Parser(o, "order_by").orderBy(s);
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

    /** An identifier: {@code entity} is {@code metrics}, {@code params}, {@code tags} or {@code attributes}. */
    record Identifier(String entity, String key) {
    }

    /** A comparison's right-hand side: a string, a number or a list of strings. */
    record Value(String string, Double number, List<String> list) {
        String describe() {
            return list != null ? "a list" : number != null ? "the number " + fmt(number) : "the string '" + string + "'";
        }
    }

    private static String fmt(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
    }

    // ---------------------------------------------------------------- compiling

    private void comparison(Identifier id, String op, Value v, String clause) {
        where.append(" AND ");
        switch (id.entity()) {
            case "metrics" -> {
                requireNumber(id, op, v, clause);
                where.append("EXISTS (SELECT 1 FROM latest_metrics lm WHERE lm.run_id = r.id AND lm.metric_key = ")
                        .append(bind(id.key())).append(" AND lm.is_nan = FALSE AND lm.val ").append(op).append(' ')
                        .append(bind(v.number())).append(')');
            }
            case "params" -> where.append("EXISTS (SELECT 1 FROM params p WHERE p.run_id = r.id AND p.param_key = ")
                    .append(bind(id.key())).append(" AND ").append(compare("p.param_value", op, requireString(id, op, v, clause))).append(')');
            case "tags" -> where.append(tag(id.key(), op, requireString(id, op, v, clause)));
            default -> {
                switch (id.key()) {
                    case "status" -> where.append(compare("r.status", op, requireString(id, op, v, clause).toUpperCase(Locale.ROOT)));
                    case "run_name" -> where.append(compare("r.name", op, requireString(id, op, v, clause)));
                    case "user_id" -> where.append(tag(Tracking.USER_TAG, op, requireString(id, op, v, clause)));
                    case "run_id" -> {
                        if (op.endsWith("IN")) {
                            if (v.list() == null) {
                                throw new InvalidFieldException("filter", "filter: " + op + " takes a list of quoted strings, "
                                        + "e.g. run_id IN ('a', 'b'), in '" + clause + "'");
                            }
                            List<String> names = new ArrayList<>();
                            v.list().forEach(x -> names.add(bind(x)));
                            where.append("r.id ").append(op).append(" (").append(String.join(", ", names)).append(')');
                        } else {
                            where.append(compare("r.id", op, requireString(id, op, v, clause)));
                        }
                    }
                    default -> { // start_time, end_time
                        requireNumber(id, op, v, clause);
                        where.append("r.").append(id.key()).append(' ').append(op).append(' ').append(bind((long) (double) v.number()));
                    }
                }
            }
        }
    }

    private String tag(String key, String op, String value) {
        return "EXISTS (SELECT 1 FROM run_tags t WHERE t.run_id = r.id AND t.tag_key = " + bind(key) + " AND "
                + compare("t.tag_value", op, value) + ")";
    }

    private String compare(String column, String op, String value) {
        return switch (op) {
            case "LIKE" -> column + " LIKE " + bind(value);
            case "ILIKE" -> "LOWER(" + column + ") LIKE LOWER(" + bind(value) + ")";
            default -> column + " " + op + " " + bind(value);
        };
    }

    private static String name(Identifier id) {
        return id.entity().equals("attributes") ? id.key() : id.entity() + "." + id.key();
    }

    private static void requireNumber(Identifier id, String op, Value v, String clause) {
        if (!COMPARISONS.contains(op)) {
            throw new InvalidFieldException("filter", "filter: " + name(id) + " is a number: compare it with = != < <= > >=, not "
                    + op + ", in '" + clause + "'");
        }
        if (v.number() == null) {
            throw new InvalidFieldException("filter", "filter: expected a number for " + name(id) + ", was " + v.describe()
                    + ", in '" + clause + "'");
        }
    }

    private static String requireString(Identifier id, String op, Value v, String clause) {
        if (op.endsWith("IN")) {
            throw new InvalidFieldException("filter", "filter: only the run_id attribute supports " + op + " (as in MLflow), not "
                    + name(id) + ", in '" + clause + "'");
        }
        if (v.string() == null) {
            throw new InvalidFieldException("filter", "filter: expected a quoted string for " + name(id) + ", was " + v.describe()
                    + ", in '" + clause + "'");
        }
        return v.string();
    }

    private void orderBy(Identifier id, String dir) {
        String expr = switch (id.entity()) {
            case "metrics" -> "(SELECT CASE WHEN lm.is_nan THEN NULL ELSE lm.val END FROM latest_metrics lm WHERE lm.run_id = r.id AND lm.metric_key = "
                    + bind(id.key()) + ")";
            case "params" -> "(SELECT p.param_value FROM params p WHERE p.run_id = r.id AND p.param_key = " + bind(id.key()) + ")";
            case "tags" -> tagValue(id.key());
            default -> switch (id.key()) {
                case "start_time", "end_time", "status" -> "r." + id.key();
                case "run_name" -> "r.name";
                case "run_id" -> "r.id";
                default -> tagValue(Tracking.USER_TAG); // user_id
            };
        };
        // Missing values last in both directions (databases disagree on where NULLs go).
        order.add("CASE WHEN " + expr + " IS NULL THEN 1 ELSE 0 END");
        order.add(expr + " " + dir);
    }

    private String tagValue(String key) {
        return "(SELECT t.tag_value FROM run_tags t WHERE t.run_id = r.id AND t.tag_key = " + bind(key) + ")";
    }

    // ---------------------------------------------------------------- parsing

    /** A hand-written parser over one filter or order_by entry: no regular expression backtracks over user input. */
    private static final class Parser {
        private final String text;
        private final String field;
        private int pos;

        Parser(String text, String field) {
            this.text = text;
            this.field = field;
        }

        private InvalidFieldException error(String message) {
            return new InvalidFieldException(field, field + ": " + message);
        }

        private String shown() {
            String s = text.strip();
            return s.length() > 200 ? s.substring(0, 200) + "…" : s;
        }

        private String rest() {
            String s = text.substring(pos).strip();
            return s.length() > 60 ? s.substring(0, 60) + "…" : s;
        }

        void filter(RunSearch s) {
            int clauses = 0;
            while (true) {
                skipSpace();
                int start = pos;
                if (atEnd()) {
                    throw error(clauses == 0 ? "empty filter" : "nothing after AND in '" + shown() + "'");
                }
                if (++clauses > MAX_CLAUSES) {
                    throw error("more than " + MAX_CLAUSES + " comparisons");
                }
                refuseUnsupportedStart();
                Identifier id = identifier();
                skipSpace();
                String op = operator(id);
                skipSpace();
                Value v = value(op);
                String clause = text.substring(start, pos).strip();
                s.comparison(id, op, v, clause.length() > 200 ? clause.substring(0, 200) + "…" : clause);
                skipSpace();
                if (atEnd()) {
                    return;
                }
                String w = peekWord();
                if (w.equalsIgnoreCase("and")) {
                    pos += 3;
                    continue;
                }
                if (w.equalsIgnoreCase("or")) {
                    throw error("OR is not supported: MLflow's search syntax joins comparisons with AND only (run two searches "
                            + "instead, or use run_id IN (...)), in '" + shown() + "'");
                }
                throw error("expected AND or the end after '" + clause + "', found '" + rest() + "'");
            }
        }

        void orderBy(RunSearch s) {
            skipSpace();
            Identifier id = identifier();
            skipSpace();
            String dir = "ASC";
            if (!atEnd()) {
                String w = peekWord();
                if (w.equalsIgnoreCase("asc") || w.equalsIgnoreCase("desc")) {
                    dir = w.toUpperCase(Locale.ROOT);
                    pos += w.length();
                    skipSpace();
                }
            }
            if (!atEnd()) {
                throw error("cannot parse '" + shown() + "': expected <identifier> [ASC|DESC], e.g. metrics.accuracy DESC or "
                        + "run_name ASC");
            }
            s.orderBy(id, dir);
        }

        private void refuseUnsupportedStart() {
            if (text.charAt(pos) == '(') {
                throw error("parentheses are not supported: MLflow's search syntax is comparisons joined by AND, in '" + shown() + "'");
            }
            String w = peekWord();
            if (w.equalsIgnoreCase("not")) {
                throw error("NOT is not supported (use != or NOT IN), in '" + shown() + "'");
            }
            if (w.equalsIgnoreCase("or") || w.equalsIgnoreCase("and")) {
                throw error(w.toUpperCase(Locale.ROOT) + " where a comparison was expected, in '" + shown() + "'");
            }
        }

        private Identifier identifier() {
            if (atEnd()) {
                throw error("expected an identifier such as metrics.accuracy or run_name, in '" + shown() + "'");
            }
            char c = text.charAt(pos);
            // an entity may be in backticks too (MLflow trims them); a double-quoted name is a whole attribute name
            String first = c == '`' || c == '"' ? quoted(c, "identifier") : word();
            if (first.isEmpty()) {
                throw error("expected an identifier such as metrics.accuracy or run_name, found '" + rest() + "'");
            }
            if (c != '"' && pos < text.length() && text.charAt(pos) == '.') {
                pos++;
                String entity = entity(first);
                String key = keyPart();
                return new Identifier(entity, "attributes".equals(entity) ? attribute(key) : key);
            }
            return new Identifier("attributes", attribute(first));
        }

        private String entity(String e) {
            return switch (e.toLowerCase(Locale.ROOT)) {
                case "metrics", "metric" -> "metrics";
                case "params", "param", "parameters", "parameter" -> "params";
                case "tags", "tag" -> "tags";
                case "attributes", "attribute", "attr", "run" -> "attributes";
                case "datasets", "dataset" -> throw error("datasets are not recorded by Cogwork: a filter on " + e
                        + ".* is not supported");
                default -> throw error("unknown entity '" + e + "' (use metrics., params., tags. or attributes., or a bare "
                        + "attribute name: " + ATTRIBUTES + ")");
            };
        }

        private String attribute(String key) {
            String k = key.toLowerCase(Locale.ROOT);
            return switch (k) {
                case "run_id", "id" -> "run_id";
                case "run_name", "run name", "name" -> "run_name";
                case "status", "user_id", "start_time", "end_time" -> k;
                case "created" -> "start_time";
                case "artifact_uri" -> throw error("the attribute artifact_uri is not searchable in Cogwork (supported: "
                        + ATTRIBUTES + ")");
                default -> throw error("unknown attribute '" + (key.length() > 100 ? key.substring(0, 100) + "…" : key)
                        + "' (supported: " + ATTRIBUTES + ")");
            };
        }

        private String keyPart() {
            if (atEnd()) {
                throw error("expected a key after '.', in '" + shown() + "'");
            }
            char c = text.charAt(pos);
            if (c == '`' || c == '"') {
                String k = quoted(c, "key");
                if (k.isEmpty()) {
                    throw error("empty key in '" + shown() + "'");
                }
                return k;
            }
            int start = pos;
            while (pos < text.length()) {
                char x = text.charAt(pos);
                if (Character.isLetterOrDigit(x) || x == '_' || x == '-' || x == '.' || x == '/' || x == ':') {
                    pos++;
                } else {
                    break;
                }
            }
            if (pos == start) {
                throw error("expected a key after '.', found '" + rest() + "' (quote keys with other characters in backticks)");
            }
            return text.substring(start, pos);
        }

        private String operator(Identifier id) {
            if (atEnd()) {
                throw error("expected a comparator after " + name(id) + ", in '" + shown() + "'");
            }
            char c = text.charAt(pos);
            if (c == '=' || c == '!' || c == '<' || c == '>') {
                int start = pos;
                while (pos < text.length() && "=!<>".indexOf(text.charAt(pos)) >= 0) {
                    pos++;
                }
                String op = text.substring(start, pos);
                if (COMPARISONS.contains(op)) {
                    return op;
                }
                throw error("unknown comparator '" + op + "'" + (op.equals("<>") ? " (use !=)" : op.equals("==") ? " (use =)" : "")
                        + " in '" + shown() + "'");
            }
            String w = peekWord();
            switch (w.toUpperCase(Locale.ROOT)) {
                case "LIKE", "ILIKE", "IN" -> {
                    pos += w.length();
                    return w.toUpperCase(Locale.ROOT);
                }
                case "NOT" -> {
                    pos += w.length();
                    skipSpace();
                    String next = peekWord();
                    if (next.equalsIgnoreCase("in")) {
                        pos += 2;
                        return "NOT IN";
                    }
                    throw error("NOT is only supported in NOT IN (use != for not equal), in '" + shown() + "'");
                }
                case "IS" -> throw error("IS [NOT] NULL is not supported: a run without the value never matches a comparison, "
                        + "in '" + shown() + "'");
                case "BETWEEN" -> throw error("BETWEEN is not supported (use >= ... AND <= ...), in '" + shown() + "'");
                default -> throw error("expected a comparator (= != < <= > >= LIKE ILIKE IN NOT IN) after " + name(id)
                        + ", found '" + rest() + "'");
            }
        }

        private Value value(String op) {
            if (atEnd()) {
                throw error("expected a value after " + op + ", in '" + shown() + "'");
            }
            char c = text.charAt(pos);
            if (op.endsWith("IN")) {
                if (c != '(') {
                    throw error(op + " takes a parenthesised list of quoted strings, e.g. run_id IN ('a', 'b'), in '" + shown() + "'");
                }
                pos++;
                List<String> values = new ArrayList<>();
                while (true) {
                    skipSpace();
                    if (atEnd() || (text.charAt(pos) != '\'' && text.charAt(pos) != '"')) {
                        throw error(op + " takes a list of quoted strings, e.g. run_id IN ('a', 'b'); found '" + rest() + "'");
                    }
                    values.add(quoted(text.charAt(pos), "string"));
                    if (values.size() > MAX_IN_VALUES) {
                        throw error(op + " takes at most " + MAX_IN_VALUES + " values");
                    }
                    skipSpace();
                    if (atEnd()) {
                        throw error("unclosed parenthesis in '" + shown() + "'");
                    }
                    char d = text.charAt(pos++);
                    if (d == ')') {
                        return new Value(null, null, List.copyOf(values));
                    }
                    if (d != ',') {
                        throw error("expected ',' or ')' in the list of " + op + ", found '" + d + "'");
                    }
                }
            }
            if (c == '\'' || c == '"') {
                return new Value(quoted(c, "string"), null, null);
            }
            if (c == '`') {
                throw error("backticks quote keys, not values: put the value in single quotes, in '" + shown() + "'");
            }
            int start = pos;
            while (pos < text.length() && !Character.isWhitespace(text.charAt(pos)) && text.charAt(pos) != ')') {
                pos++;
            }
            String raw = text.substring(start, pos);
            if (NUMBER.matcher(raw).matches()) {
                return new Value(null, Double.parseDouble(raw), null);
            }
            throw error("expected a number or a quoted string after " + op + ", found " + (raw.isEmpty() ? "'" + rest() + "'"
                    : raw.length() > 60 ? raw.substring(0, 60) + "…" : raw) + " (quote strings: 'FINISHED')");
        }

        /** A quoted token starting at {@code pos}; a doubled quote inside stands for one. */
        private String quoted(char q, String what) {
            StringBuilder out = new StringBuilder();
            int start = pos;
            pos++;
            while (pos < text.length()) {
                char c = text.charAt(pos++);
                if (c == q) {
                    if (pos < text.length() && text.charAt(pos) == q) {
                        out.append(q);
                        pos++;
                        continue;
                    }
                    return out.toString();
                }
                out.append(c);
            }
            pos = start;
            throw error("unterminated quote " + q + " in a " + what + ", in '" + shown() + "'");
        }

        private String word() {
            int start = pos;
            while (pos < text.length() && (Character.isLetterOrDigit(text.charAt(pos)) || text.charAt(pos) == '_')) {
                pos++;
            }
            return text.substring(start, pos);
        }

        private String peekWord() {
            int p = pos;
            while (p < text.length() && Character.isLetter(text.charAt(p))) {
                p++;
            }
            // a word ends at a non-identifier character (so "android" is no AND, and "and(" is)
            if (p < text.length() && (Character.isLetterOrDigit(text.charAt(p)) || text.charAt(p) == '_')) {
                return "";
            }
            return text.substring(pos, p);
        }

        private void skipSpace() {
            while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
                pos++;
            }
        }

        private boolean atEnd() {
            return pos >= text.length();
        }
    }

    /** Splits at {@code and} (any case) outside quotes (the model version search's simpler filter). */
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
            throw new InvalidFieldException("filter", "filter: unterminated quote in '" + filter + "'");
        }
        out.add(cur.toString());
        for (String s : out) {
            if (s.isBlank()) {
                throw new InvalidFieldException("filter", "filter: empty clause in '" + filter + "'");
            }
        }
        return out;
    }
}
