package org.cogwork.serving.internal;

import java.util.UUID;

/**
 * Prediction ids: time-ordered UUIDs (version 7 of RFC 9562: the first 48 bits are the Unix time in milliseconds, the
 * rest random bits from {@link UUID#randomUUID()}'s secure generator, so ids stay unguessable), with the last 16 bits
 * the row's place in its request. A request gets one {@link #next base id} (its row 0) and its row {@code i} the base
 * plus {@code i}, so the log keeps a request as one row of the store and still finds each prediction by its id
 * ({@link #base}, {@link #row}). Ordered by time, a batch of new ids lands at the end of the log's primary-key index
 * instead of in a random leaf for each: measured with H2, random version-4 ids made the store copy an index page for
 * nearly every row (tens of KB of garbage per prediction), and the collector's pauses set serving's 99th percentile.
 */
public final class PredictionIds {
    /** Most rows one base id numbers (16 bits). */
    static final int MAX_ROWS = 1 << 16;
    private static final long ROW_BITS = MAX_ROWS - 1;

    private PredictionIds() {
    }

    /** A new base id (row 0 of a request made at {@code epochMillis}); public for the benchmarks, which log as serving does. */
    public static UUID next(long epochMillis) {
        UUID random = UUID.randomUUID();
        long msb = (epochMillis << 16) | 0x7000L | (random.getMostSignificantBits() & 0x0FFFL);
        return new UUID(msb, random.getLeastSignificantBits() & ~ROW_BITS); // the variant bits are v4's: the same
    }

    /** The id of row {@code row} of the request whose base id is {@code base}. */
    static String of(UUID base, int row) {
        return new UUID(base.getMostSignificantBits(), base.getLeastSignificantBits() | row).toString();
    }

    /** The base id of a request-numbered prediction id (row 0's), or {@code null} for an id that is no UUID. */
    static String base(String id) {
        UUID u = parse(id);
        return u == null ? null : new UUID(u.getMostSignificantBits(), u.getLeastSignificantBits() & ~ROW_BITS).toString();
    }

    /** The row number an id carries (its last 16 bits), or -1 for an id that is no UUID. */
    static int row(String id) {
        UUID u = parse(id);
        return u == null ? -1 : (int) (u.getLeastSignificantBits() & ROW_BITS);
    }

    private static UUID parse(String id) {
        if (id == null || id.length() != 36) {
            return null;
        }
        try {
            UUID u = UUID.fromString(id);
            return u.toString().equals(id.toLowerCase(java.util.Locale.ROOT)) ? u : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
