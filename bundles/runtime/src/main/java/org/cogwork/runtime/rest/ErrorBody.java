package org.cogwork.runtime.rest;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.regex.Pattern;

/**
 * The single JSON error shape of every Cogwork endpoint. Safe by construction: every part goes through
 * {@link #safe(String)}, so an error body never carries a whole input or a Java class name, whoever built it.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ErrorBody(String error, String field, String detail) {
    /** The longest message an error body carries. */
    public static final int MAX_MESSAGE_LENGTH = 1000;
    // a qualified Java class name: lower-case package segments, then a capitalised class (java.lang.Foo, org.x.y.Bar$1)
    private static final Pattern CLASS_NAME = Pattern.compile("\\b[a-z][a-z0-9_]*(?:\\.[a-z][a-z0-9_]*)+\\.[A-Z][\\w$]*");
    private static final Pattern LONG_TOKEN = Pattern.compile("\\S{" + (Json.QUOTE_LENGTH + 1) + ",}");

    public ErrorBody {
        error = safe(error);
        field = safe(field);
        detail = safe(detail);
    }

    /**
     * A message fit for an error body: qualified class names removed, any run of more than
     * {@link Json#QUOTE_LENGTH} non-blank characters (an echoed input) cut with "…", at most
     * {@link #MAX_MESSAGE_LENGTH} characters in all. For error shapes other than this one (MLflow's).
     */
    public static String safe(String message) {
        if (message == null) {
            return null;
        }
        String s = message.length() > MAX_MESSAGE_LENGTH ? message.substring(0, MAX_MESSAGE_LENGTH) + "…" : message;
        s = CLASS_NAME.matcher(s).replaceAll("(internal)");
        return LONG_TOKEN.matcher(s).replaceAll(m -> java.util.regex.Matcher.quoteReplacement(m.group().substring(0, Json.QUOTE_LENGTH) + "…"));
    }
}
