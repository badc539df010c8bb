package org.cogwork.runtime.internal.rest;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.cogwork.runtime.rest.ErrorShape;
import org.cogwork.runtime.rest.Route;

/**
 * Every declared route, most specific first (at each segment a literal beats a parameter, which beats a
 * {@code {rest+}} tail), so the first match wins. Immutable: the dispatcher swaps in a new table when a resource
 * arrives or leaves.
 */
final class RouteTable {
    /**
     * A route with its resource's error shape and its template compiled. A {@code {name+}} segment takes one or more
     * path segments: the rest of the path, or as many as leave the segments after it (literals or one-segment
     * parameters) to match the end of the path, e.g. {@code /api/sources/{id}/datasets/{dataset+}/schema}.
     */
    record Entry(Route route, ErrorShape shape, String tag, String[] segments, int multi) {
        static Entry of(Route route, ErrorShape shape, String tag) {
            List<String> seg = route.segments();
            int multi = -1;
            for (int i = 0; i < seg.size(); i++) {
                if (seg.get(i).endsWith("+}")) {
                    if (multi >= 0) {
                        throw new IllegalArgumentException("at most one {name+} segment per route: " + route.path());
                    }
                    multi = i;
                }
            }
            return new Entry(route, shape, tag, seg.toArray(String[]::new), multi);
        }

        /**
         * The path parameters when {@code path} matches the template, else {@code null}. The literal segments are
         * compared first, so a route that does not match (most of them, for every request) allocates nothing.
         */
        Map<String, String> match(String[] path) {
            if (multi < 0 ? path.length != segments.length : path.length < segments.length) {
                return null;
            }
            int after = multi < 0 ? 0 : segments.length - multi - 1;
            int before = multi < 0 ? segments.length : multi;
            for (int i = 0; i < before; i++) {
                if (!isParameter(segments[i]) && !segments[i].equals(path[i])) {
                    return null;
                }
            }
            for (int k = 1; k <= after; k++) {
                String t = segments[segments.length - k];
                if (!isParameter(t) && !t.equals(path[path.length - k])) {
                    return null;
                }
            }
            Map<String, String> params = new HashMap<>(4);
            for (int i = 0; i < before; i++) {
                parameter(segments[i], path[i], params);
            }
            for (int k = 1; k <= after; k++) {
                parameter(segments[segments.length - k], path[path.length - k], params);
            }
            if (multi >= 0) {
                StringBuilder rest = new StringBuilder();
                for (int i = multi; i < path.length - after; i++) {
                    rest.append(i > multi ? "/" : "").append(decode(path[i]));
                }
                String t = segments[multi];
                params.put(t.substring(1, t.length() - 2), rest.toString());
            }
            return params;
        }

        private static boolean isParameter(String template) {
            return template.charAt(0) == '{';
        }

        private static void parameter(String template, String actual, Map<String, String> params) {
            if (isParameter(template)) {
                params.put(template.substring(1, template.length() - 1), decode(actual));
            }
        }
    }

    /** The outcome of a lookup: a route and its parameters, or the methods the path allows (405), or nothing. */
    record Match(Entry entry, Map<String, String> params, Set<String> allowed) {
    }

    static final RouteTable EMPTY = new RouteTable(List.of());

    private final List<Entry> entries;

    RouteTable(List<Entry> entries) {
        List<Entry> sorted = new ArrayList<>(entries);
        sorted.sort(SPECIFIC_FIRST);
        this.entries = List.copyOf(sorted);
    }

    List<Entry> entries() {
        return entries;
    }

    /** The route serving {@code method} on the split, still encoded path. */
    Match find(String method, String[] path) {
        Set<String> allowed = null;
        for (Entry e : entries) {
            Map<String, String> params = e.match(path);
            if (params == null) {
                continue;
            }
            if (e.route().method().equals(method)) {
                return new Match(e, params, null);
            }
            if (allowed == null) {
                allowed = new TreeSet<>();
            }
            allowed.add(e.route().method());
        }
        return new Match(null, null, allowed);
    }

    /** The route with the same method and template shape as {@code r}, if any (two resources may not both serve it). */
    Entry clash(Route r) {
        String shape = shape(r);
        for (Entry e : entries) {
            if (e.route().method().equals(r.method()) && shape(e.route()).equals(shape)) {
                return e;
            }
        }
        return null;
    }

    private static String shape(Route r) {
        return r.path().replaceAll("\\{[^}/]*\\+}", "{+}").replaceAll("\\{[^}/]*}", "{}");
    }

    private static int rank(String segment) {
        return segment.charAt(0) != '{' ? 0 : segment.endsWith("+}") ? 2 : 1;
    }

    private static final Comparator<Entry> SPECIFIC_FIRST = (a, b) -> {
        int n = Math.min(a.segments.length, b.segments.length);
        for (int i = 0; i < n; i++) {
            int c = Integer.compare(rank(a.segments[i]), rank(b.segments[i]));
            if (c != 0) {
                return c;
            }
        }
        // a {name+} route that ends in literals has more segments than one that ends in {name+}: it is tried first
        int c = Integer.compare(b.segments.length, a.segments.length);
        return c != 0 ? c : a.route().path().compareTo(b.route().path());
    };

    private static String decode(String segment) {
        return segment.indexOf('%') < 0 && segment.indexOf('+') < 0 ? segment : URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    /** Routes grouped by template, for the OpenAPI document. */
    Map<String, List<Entry>> byPath() {
        Map<String, List<Entry>> out = new LinkedHashMap<>();
        entries.stream().sorted(Comparator.comparing((Entry e) -> e.route().path()))
                .forEach(e -> out.computeIfAbsent(e.route().path(), k -> new ArrayList<>()).add(e));
        return out;
    }
}
