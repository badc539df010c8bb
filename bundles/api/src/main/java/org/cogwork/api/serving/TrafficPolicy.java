package org.cogwork.api.serving;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.cogwork.api.problem.InvalidFieldException;

/**
 * How a model's default traffic (requests naming neither alias nor version) is served: a weighted split between
 * versions, sticky per caller key when one is given, and shadow versions that see every request, whose answers
 * are logged (marked shadow) but never returned. {@link #NONE} (no split, no shadow) means: the {@code production}
 * alias. As JSON: {@code {"split": [{"version": 1, "weight": 80}, {"version": 2, "weight": 20}], "shadow": [3]}}.
 *
 * @param split versions with positive weights (relative: 80/20 and 4/1 split alike); empty for none
 * @param shadow versions mirrored off the request path; empty for none
 * @since 0.2
 */
public record TrafficPolicy(List<Arm> split, List<Integer> shadow) {
    /** No split and no shadow. */
    public static final TrafficPolicy NONE = new TrafficPolicy(List.of(), List.of());

    /** One version of a split and its weight (> 0, finite). */
    public record Arm(int version, double weight) {
    }

    /** @throws InvalidFieldException naming {@code split[i].version}, {@code split[i].weight} or {@code shadow[i]} */
    public TrafficPolicy {
        split = split == null ? List.of() : List.copyOf(split);
        shadow = shadow == null ? List.of() : List.copyOf(shadow);
        for (int i = 0; i < split.size(); i++) {
            Arm a = split.get(i);
            if (a.version() < 1) {
                throw invalid("split[" + i + "].version", "must be a version number");
            }
            if (!(a.weight() > 0) || Double.isInfinite(a.weight())) {
                throw invalid("split[" + i + "].weight", "must be a positive number");
            }
        }
        for (int i = 0; i < shadow.size(); i++) {
            if (shadow.get(i) < 1) {
                throw invalid("shadow[" + i + "]", "must be a version number");
            }
        }
    }

    /** A 400 naming the JSON path, whose message starts with it ({@code split[0].weight: must be ...}). */
    private static InvalidFieldException invalid(String field, String message) {
        return new InvalidFieldException(field, field + ": " + message);
    }

    /** No split and no shadow: default traffic goes to the production alias, as with no policy at all. */
    public boolean isEmpty() {
        return split.isEmpty() && shadow.isEmpty();
    }

    /**
     * The version to serve, or {@code null} for the production alias. With a caller key the choice is a stable
     * hash of it, so one caller always meets the same version (as long as the split is the same).
     */
    public Integer choose(String callerKey) {
        if (split.isEmpty()) {
            return null;
        }
        double total = split.stream().mapToDouble(Arm::weight).sum();
        double u = callerKey == null ? ThreadLocalRandom.current().nextDouble() : unit(callerKey);
        double acc = 0;
        for (Arm a : split) {
            acc += a.weight() / total;
            if (u < acc) {
                return a.version();
            }
        }
        return split.get(split.size() - 1).version();
    }

    /** A uniform number in [0, 1) from a key (FNV-1a 64-bit, mixed). */
    static double unit(String key) {
        long h = 0xcbf29ce484222325L;
        for (byte b : key.getBytes(StandardCharsets.UTF_8)) {
            h ^= b;
            h *= 0x100000001b3L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        return (h >>> 11) * 0x1.0p-53;
    }
}
