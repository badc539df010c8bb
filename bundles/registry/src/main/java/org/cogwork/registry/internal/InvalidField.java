package org.cogwork.registry.internal;

/** An invalid argument, with the name of the field at fault (the REST layer answers 400 naming it). */
public class InvalidField extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final String field;

    public InvalidField(String field, String message) {
        super(message);
        this.field = field;
    }

    public String field() {
        return field;
    }

    static String require(String value, String field) {
        if (value == null || value.isBlank()) {
            throw new InvalidField(field, field + " must not be blank");
        }
        return value;
    }

    static String requireKey(String key, String field) {
        require(key, field);
        if (key.length() > 250) {
            throw new InvalidField(field, field + " must be at most 250 characters, was " + key.length());
        }
        // MLflow's rule: alphanumerics, underscores, dashes, periods, spaces and slashes; no '..' path tricks.
        if (!key.matches("[\\w\\-. /]+") || key.startsWith("/") || key.contains("..")) {
            throw new InvalidField(field, field + " '" + key + "' may only contain letters, digits, '_', '-', '.', ' ' and '/'"
                    + " (not starting with '/', no '..')");
        }
        return key;
    }

    static String limit(String value, int max, String field) {
        if (value != null && value.length() > max) {
            throw new InvalidField(field, field + " must be at most " + max + " characters, was " + value.length());
        }
        return value;
    }
}
