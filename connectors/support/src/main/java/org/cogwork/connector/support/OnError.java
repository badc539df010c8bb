package org.cogwork.connector.support;

import java.util.Arrays;
import java.util.Locale;

/** What a reader does with a malformed row or cell. Every case is counted and reported with its line. */
public enum OnError {
    /** Stop the read with a {@link org.cogwork.api.data.MalformedDataException} naming line and column. */
    FAIL,
    /** Leave the row out. */
    SKIP,
    /** Keep the row with the unparseable cell as a missing value (rows of the wrong width are still skipped). */
    NULL;

    /** Parses a configuration value ({@code fail}, {@code skip}, {@code null}), naming the field when wrong. */
    public static OnError parse(String value, String field) {
        try {
            return valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IllegalArgumentException(field + " must be one of " + Arrays.toString(values()).toLowerCase(Locale.ROOT)
                    + ", was '" + value + "'");
        }
    }
}
