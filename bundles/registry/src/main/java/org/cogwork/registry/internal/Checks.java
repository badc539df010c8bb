package org.cogwork.registry.internal;

import org.cogwork.api.problem.Fields;
import org.cogwork.api.problem.InvalidFieldException;

/** The registry's checks of names, keys and lengths: each failure is a 400 naming the field. */
final class Checks {
    private Checks() {
    }

    static String require(String value, String field) {
        return Fields.require(value, field);
    }

    static String requireKey(String key, String field) {
        require(key, field);
        if (key.length() > 250) {
            throw new InvalidFieldException(field, field + " must be at most 250 characters, was " + key.length());
        }
        // MLflow's rule: alphanumerics, underscores, dashes, periods, spaces and slashes; no '..' path tricks.
        if (!key.matches("[\\w\\-. /]+") || key.startsWith("/") || key.contains("..")) {
            throw new InvalidFieldException(field, field + " '" + key + "' may only contain letters, digits, '_', '-', '.', ' ' and '/'"
                    + " (not starting with '/', no '..')");
        }
        return key;
    }

    static String limit(String value, int max, String field) {
        return Fields.limit(value, max, field);
    }
}
