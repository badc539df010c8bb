package org.cogwork.training.internal;

/** A training spec that cannot run, naming the JSON field at fault. */
final class SpecException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private final String field;

    SpecException(String field, String message) {
        super(message);
        this.field = field;
    }

    String field() {
        return field;
    }
}
