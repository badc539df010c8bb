package org.cogwork.serving.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.cogwork.runtime.rest.Json;

/**
 * How a model's default traffic (requests naming neither alias nor version) is served: a weighted split
 * between versions (sticky per caller key when one is given) and shadow versions that see every request,
 * whose answers are logged but never returned. Stored as the model tag {@value #TAG}, so it persists and
 * every node sharing the metadata store applies the same policy. An empty policy means: the
 * {@code production} alias.
 *
 * <pre>{@code {"split": [{"version": 1, "weight": 80}, {"version": 2, "weight": 20}], "shadow": [3]}}</pre>
 */
record TrafficPolicy(List<Arm> split, List<Integer> shadow) {
    static final String TAG = "cogwork.traffic";
    static final TrafficPolicy NONE = new TrafficPolicy(List.of(), List.of());

    record Arm(int version, double weight) {
    }

    TrafficPolicy {
        split = List.copyOf(split);
        shadow = List.copyOf(shadow);
    }

    /** Parses and checks a policy; mistakes name the JSON path. */
    static TrafficPolicy parse(JsonNode n) {
        if (n == null || !n.isObject()) {
            throw new IllegalArgumentException("policy: expected {\"split\": [{\"version\": n, \"weight\": w}], \"shadow\": [n]}");
        }
        List<Arm> arms = new ArrayList<>();
        JsonNode s = n.path("split");
        if (!s.isMissingNode() && !s.isArray()) {
            throw new IllegalArgumentException("split: must be an array of {\"version\", \"weight\"}");
        }
        for (int i = 0; i < s.size(); i++) {
            JsonNode a = s.get(i);
            if (!a.path("version").canConvertToInt() || a.path("version").asInt() < 1) {
                throw new IllegalArgumentException("split[" + i + "].version: must be a version number");
            }
            double w = a.path("weight").asDouble(-1);
            if (!(w > 0) || Double.isInfinite(w)) {
                throw new IllegalArgumentException("split[" + i + "].weight: must be a positive number");
            }
            arms.add(new Arm(a.get("version").asInt(), w));
        }
        List<Integer> shadow = new ArrayList<>();
        JsonNode sh = n.path("shadow");
        if (!sh.isMissingNode() && !sh.isArray()) {
            throw new IllegalArgumentException("shadow: must be an array of version numbers");
        }
        for (int i = 0; i < sh.size(); i++) {
            if (!sh.get(i).canConvertToInt() || sh.get(i).asInt() < 1) {
                throw new IllegalArgumentException("shadow[" + i + "]: must be a version number");
            }
            shadow.add(sh.get(i).asInt());
        }
        return new TrafficPolicy(arms, shadow);
    }

    static TrafficPolicy fromTag(String value) {
        if (value == null || value.isBlank()) {
            return NONE;
        }
        try {
            return parse(Json.MAPPER.readTree(value));
        } catch (java.io.IOException e) {
            return NONE;
        }
    }

    String toJson() {
        ObjectNode n = Json.MAPPER.createObjectNode();
        ArrayNode a = n.putArray("split");
        split.forEach(arm -> a.addObject().put("version", arm.version()).put("weight", arm.weight()));
        ArrayNode sh = n.putArray("shadow");
        shadow.forEach(sh::add);
        return n.toString();
    }

    /**
     * The version to serve, or {@code null} for the production alias. With a caller key the choice is a
     * stable hash of it, so one caller always meets the same version.
     */
    Integer choose(String callerKey) {
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
