package org.cogwork.serving.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import org.cogwork.api.problem.InvalidFieldException;
import org.cogwork.api.serving.TrafficPolicy;
import org.cogwork.runtime.rest.Json;

/**
 * A model's {@link TrafficPolicy} as serving stores it: the model tag {@value #TAG} in the registry (so it persists
 * and every node sharing the metadata store applies the same policy), and as the JSON of the REST API.
 */
final class TrafficPolicies {
    static final String TAG = "cogwork.traffic";

    private TrafficPolicies() {
    }

    /** Parses and checks a policy; mistakes are 400s naming the JSON path. */
    static TrafficPolicy parse(JsonNode n) {
        if (n == null || !n.isObject()) {
            throw invalid("policy", "expected {\"split\": [{\"version\": n, \"weight\": w}], \"shadow\": [n]}");
        }
        List<TrafficPolicy.Arm> arms = new ArrayList<>();
        JsonNode s = n.path("split");
        if (!s.isMissingNode() && !s.isArray()) {
            throw invalid("split", "must be an array of {\"version\", \"weight\"}");
        }
        for (int i = 0; i < s.size(); i++) {
            JsonNode a = s.get(i);
            if (!a.path("version").canConvertToInt() || !a.path("version").isIntegralNumber()) {
                throw invalid("split[" + i + "].version", "must be a version number");
            }
            if (!a.path("weight").isNumber()) {
                throw invalid("split[" + i + "].weight", "must be a positive number");
            }
            arms.add(new TrafficPolicy.Arm(a.get("version").asInt(), a.get("weight").asDouble()));
        }
        List<Integer> shadow = new ArrayList<>();
        JsonNode sh = n.path("shadow");
        if (!sh.isMissingNode() && !sh.isArray()) {
            throw invalid("shadow", "must be an array of version numbers");
        }
        for (int i = 0; i < sh.size(); i++) {
            if (!sh.get(i).isIntegralNumber() || !sh.get(i).canConvertToInt()) {
                throw invalid("shadow[" + i + "]", "must be a version number");
            }
            shadow.add(sh.get(i).asInt());
        }
        return new TrafficPolicy(arms, shadow); // checks ranges, naming the path
    }

    /** A 400 naming the JSON path, whose message starts with it ({@code split[0].weight: must be ...}). */
    private static InvalidFieldException invalid(String field, String message) {
        return new InvalidFieldException(field, field + ": " + message);
    }

    static TrafficPolicy fromTag(String value) {
        if (value == null || value.isBlank()) {
            return TrafficPolicy.NONE;
        }
        try {
            return parse(Json.MAPPER.readTree(value));
        } catch (java.io.IOException | InvalidFieldException e) {
            return TrafficPolicy.NONE;
        }
    }

    static String toJson(TrafficPolicy p) {
        ObjectNode n = Json.MAPPER.createObjectNode();
        ArrayNode a = n.putArray("split");
        p.split().forEach(arm -> a.addObject().put("version", arm.version()).put("weight", arm.weight()));
        ArrayNode sh = n.putArray("shadow");
        p.shadow().forEach(sh::add);
        return n.toString();
    }
}
