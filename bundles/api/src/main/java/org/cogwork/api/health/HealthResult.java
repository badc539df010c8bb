package org.cogwork.api.health;

/** The outcome of a {@link HealthCheck}: up or down, and a sentence for people. */
public record HealthResult(boolean up, String detail) {
    public static HealthResult up(String detail) {
        return new HealthResult(true, detail);
    }

    public static HealthResult down(String detail) {
        return new HealthResult(false, detail);
    }
}
