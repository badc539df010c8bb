package org.cogwork.runtime.rest;

import java.util.Map;

/**
 * A response with a status other than the route's, or headers. A handler may also return a plain body (sent with
 * the route's status), {@code null} (204) or {@link #WRITTEN} when it wrote the response itself (a file).
 */
public record Reply(int status, Object body, Map<String, String> headers) {
    /** The handler wrote the response itself through {@link Call#response()}. */
    public static final Reply WRITTEN = new Reply(-1, null, Map.of());

    public Reply(int status, Object body) {
        this(status, body, Map.of());
    }

    public static Reply ok(Object body) {
        return new Reply(200, body);
    }

    public static Reply created(Object body) {
        return new Reply(201, body);
    }
}
