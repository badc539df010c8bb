package org.cogwork.registry.internal;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.cogwork.api.problem.InvalidFieldException;

/**
 * Name filters of experiment and model searches: MLflow's {@code name = 'x'}, {@code name != 'x'},
 * {@code name LIKE 'x%'} or {@code name ILIKE '%x%'}; a bare text is a case-insensitive substring, a bare text
 * with {@code %} a case-insensitive LIKE pattern.
 */
final class NameFilter {
    private static final Pattern EXPR = Pattern.compile("\\s*name\\s*(=|!=|(?i:ilike|like))\\s*'([^']*)'\\s*", Pattern.CASE_INSENSITIVE);

    private NameFilter() {
    }

    static void apply(String filter, String column, String field, StringBuilder where, Map<String, Object> binds) {
        if (filter == null || filter.isBlank()) {
            return;
        }
        String b = "nf" + binds.size();
        Matcher m = EXPR.matcher(filter);
        if (m.matches()) {
            String op = m.group(1).toUpperCase();
            binds.put(b, m.group(2));
            switch (op) {
                case "ILIKE" -> where.append(" AND LOWER(").append(column).append(") LIKE LOWER(:").append(b).append(')');
                default -> where.append(" AND ").append(column).append(' ').append(op).append(" :").append(b);
            }
            return;
        }
        if (filter.contains("'") || filter.contains("=")) {
            throw new InvalidFieldException(field, field + ": expected name = 'x', name LIKE 'x%', name ILIKE '%x%' or a plain text, was " + filter);
        }
        binds.put(b, filter.contains("%") ? filter : "%" + filter + "%");
        where.append(" AND LOWER(").append(column).append(") LIKE LOWER(:").append(b).append(')');
    }
}
