package org.cogwork.serving.internal;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.cogwork.api.problem.ApiException;
import org.cogwork.api.problem.InvalidFieldException;
import org.cogwork.api.security.Role;
import org.cogwork.api.serving.PredictionResponse;
import org.cogwork.runtime.rest.Call;
import org.cogwork.runtime.rest.Json;
import org.cogwork.runtime.rest.RestResource;
import org.cogwork.runtime.rest.Routes;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * Serving's routes below the registry's {@code /api/models/}: predict and schema for integrators (and data
 * scientists), a model's traffic policy and serving options and the serving counters for data scientists.
 *
 * <pre>{@code POST /api/models/credit-risk/predict {"rows": [{"Age": 30, ...}], "callerKey": "user-7"}
 * → {"model": "credit-risk", "version": 3, "predictions": [{"id": "...", "value": "good", "scores": {...}}]}}</pre>
 *
 * <p>Predict is the hot path: its body is read once, bounded by the live {@code max.body.bytes} (413 beyond), and
 * bound straight onto {@link PredictRequest}; it is not audited (every prediction is in the prediction log).
 */
@Component(service = RestResource.class)
public class ServingResource implements RestResource {
    /**
     * Bound dynamically: the predictor restarts when serving's configuration changes, and these routes stay while it
     * does, answering 503 with Retry-After (a client retrying on 503 comes back; a 404 would read as "no such model").
     */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    volatile Predictor predictor;

    /** The predictor, or 503 while none is bound (serving restarting). */
    Predictor predictor() {
        Predictor p = predictor;
        if (p == null) {
            throw Predictor.restarting();
        }
        return p;
    }

    /**
     * The body of a prediction request.
     *
     * @param rows column → value (strings, numbers, booleans or null), one object per row
     * @param callerKey sticks a caller to one version of a split, optional
     * @param alias the alias to serve (overrides {@code ?alias=}), optional
     */
    public record PredictRequest(@JsonDeserialize(using = RowsReader.class) List<Map<String, Object>> rows, String callerKey, String alias) {
        public PredictRequest {
            if (rows == null) {
                throw new InvalidFieldException("rows", "rows must be an array of objects (column → value)");
            }
            if (rows instanceof ReadRows read) {
                if (read.badField != null) {
                    throw new InvalidFieldException(read.badField, read.badMessage);
                }
            } else {
                for (int i = 0; i < rows.size(); i++) {
                    Map<String, Object> row = rows.get(i);
                    if (row == null) {
                        throw new InvalidFieldException("rows[" + i + "]", NOT_A_ROW);
                    }
                    for (Map.Entry<String, Object> e : row.entrySet()) {
                        if (e.getValue() instanceof Map || e.getValue() instanceof List) {
                            throw new InvalidFieldException("rows[" + i + "]." + e.getKey(), NOT_A_VALUE);
                        }
                    }
                }
            }
        }
    }

    private static final String NOT_A_ROW = "each row must be an object of column → value";
    private static final String NOT_A_VALUE = "values must be strings, numbers, booleans or null";

    /**
     * Rows as {@link RowsReader} read them, with the first thing wrong in them (checked by {@link PredictRequest}) and
     * where they stand in the request body, so the prediction log keeps their text as sent ({@link #json}) instead of
     * writing every value again (a tenth of a one-row request's time, JFR).
     */
    static final class ReadRows extends ArrayList<Map<String, Object>> implements SentRows {
        private static final long serialVersionUID = 1L;
        transient String badField;
        transient String badMessage;
        /** The request body, set once it is read whole; byte offsets of the rows array and of its first row in it. */
        transient byte[] body;
        transient int arrayStart = -1;
        transient int arrayEnd = -1;
        transient int firstStart = -1;
        transient int firstEnd = -1;

        void bad(String field, String message) {
            if (badField == null) {
                badField = field;
                badMessage = message;
            }
        }

        @Override
        public String json() {
            if (body == null || badField != null) {
                return null;
            }
            int from = size() == 1 ? firstStart : arrayStart;
            int to = size() == 1 ? firstEnd : arrayEnd;
            return from < 0 || to <= from || to > body.length ? null : new String(body, from, to - from, StandardCharsets.UTF_8);
        }
    }

    /**
     * Reads {@code rows} straight off the parser: each row a map of column → string, number (as Jackson's untyped
     * reading gives it), boolean or null, in the order sent; a row that is no object, or a value that is an object or
     * an array, is noted by its place ({@code rows[3].Age}) for {@link PredictRequest} to refuse. Jackson's untyped map
     * reading and then a pass over every value to find nested ones cost a tenth of a 100-row request (JFR).
     */
    static final class RowsReader extends StdDeserializer<List<Map<String, Object>>> {
        private static final long serialVersionUID = 1L;

        RowsReader() {
            super(List.class);
        }

        @Override
        @SuppressWarnings("unchecked")
        public List<Map<String, Object>> deserialize(JsonParser p, DeserializationContext ctx) throws IOException {
            if (!p.isExpectedStartArrayToken()) {
                return (List<Map<String, Object>>) ctx.handleUnexpectedToken(List.class, p);
            }
            boolean bigDecimals = ctx.isEnabled(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
            ReadRows rows = new ReadRows();
            rows.arrayStart = offset(p);
            for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
                int i = rows.size();
                if (i == 0) {
                    rows.firstStart = offset(p);
                }
                if (t != JsonToken.START_OBJECT) {
                    rows.bad("rows[" + i + "]", NOT_A_ROW);
                    p.skipChildren();
                    rows.add(null);
                    continue;
                }
                Map<String, Object> row = new LinkedHashMap<>();
                for (String name = p.nextFieldName(); name != null; name = p.nextFieldName()) {
                    switch (p.nextToken()) {
                        case VALUE_STRING -> row.put(name, p.getText());
                        case VALUE_NUMBER_INT -> row.put(name, p.getNumberValue());
                        case VALUE_NUMBER_FLOAT -> row.put(name, bigDecimals ? p.getDecimalValue() : (Object) p.getDoubleValue());
                        case VALUE_TRUE -> row.put(name, Boolean.TRUE);
                        case VALUE_FALSE -> row.put(name, Boolean.FALSE);
                        case VALUE_NULL -> row.put(name, null);
                        default -> {
                            rows.bad("rows[" + i + "]." + name, NOT_A_VALUE);
                            p.skipChildren();
                            row.put(name, null);
                        }
                    }
                }
                if (i == 0) {
                    rows.firstEnd = offset(p) + 1; // the closing brace is one byte
                }
                rows.add(row);
            }
            rows.arrayEnd = offset(p) + 1;
            return rows;
        }

        /** Where the current token starts in the body, in bytes; -1 when the parser does not know (not read from bytes). */
        private static int offset(JsonParser p) {
            long at = p.currentTokenLocation().getByteOffset();
            return at < 0 || at > Integer.MAX_VALUE ? -1 : (int) at;
        }
    }

    /** The answer of a prediction request: the version that served it and one prediction per row, in order. */
    public record PredictResult(String model, int version, List<Item> predictions) {
        /** One prediction; {@code id} is what feedback is sent on. */
        public record Item(String id, Object value, Map<String, Double> scores) {
        }

        static PredictResult of(PredictionResponse r) {
            List<Item> items = new ArrayList<>(r.predictions().size());
            for (PredictionResponse.Item i : r.predictions()) {
                items.add(new Item(i.predictionId(), i.prediction().value(), i.prediction().scores()));
            }
            return new PredictResult(r.modelName(), r.version(), items);
        }
    }

    @Override
    public void routes(Routes r) {
        r.tag("serving");
        r.post("/api/models/{name}/predict").roles(Role.INTEGRATOR, Role.DATA_SCIENTIST).body(PredictRequest.class).streamed()
                .returns(PredictResult.class).audited(false)
                .query("alias", "the alias to serve (default: the model's traffic policy, else production)")
                .query("version", "a version to serve, overriding alias and policy")
                .summary("predicts one output per row; each prediction is logged with an id for feedback")
                .handle(call -> {
                    PredictRequest body = read(call);
                    String alias = body.alias() != null ? body.alias() : call.query("alias");
                    return PredictResult.of(predictor().predict(call.path("name"), alias, version(call), body.callerKey(), body.rows()));
                });
        r.get("/api/models/{name}/schema").roles(Role.INTEGRATOR, Role.DATA_SCIENTIST).returns(Map.class)
                .query("alias", "the alias whose version to describe (default production)")
                .query("version", "a version to describe, overriding alias")
                .summary("what to send: the features and their types, the target and the labels")
                .handle(call -> predictor().schema(call.path("name"), call.query("alias"), version(call)));
        r.get("/api/models/{name}/traffic").roles(Role.DATA_SCIENTIST).returns(JsonNode.class)
                .summary("the model's traffic policy: a weighted split between versions and shadow versions")
                .handle(call -> Json.MAPPER.readTree(TrafficPolicies.toJson(predictor().policy(call.path("name")))));
        r.put("/api/models/{name}/traffic").roles(Role.DATA_SCIENTIST).body(ObjectNode.class).returns(JsonNode.class)
                .summary("sets the traffic policy {\"split\": [{\"version\", \"weight\"}], \"shadow\": [version]}")
                .handle(call -> Json.MAPPER.readTree(TrafficPolicies.toJson(predictor().set(call.path("name"),
                        TrafficPolicies.parse((ObjectNode) call.body()), call.principal().name()))));
        r.delete("/api/models/{name}/traffic").roles(Role.DATA_SCIENTIST).returns(JsonNode.class)
                .summary("clears the traffic policy: default traffic goes to the production alias")
                .handle(call -> Json.MAPPER.readTree(TrafficPolicies.toJson(predictor().set(call.path("name"), org.cogwork.api.serving.TrafficPolicy.NONE,
                        call.principal().name()))));
        r.get("/api/models/{name}/serving-options").roles(Role.DATA_SCIENTIST).returns(ServingOptions.class)
                .summary("how serving treats the model's requests: unknown columns, dynamic batching")
                .handle(call -> predictor().options(call.path("name")));
        r.put("/api/models/{name}/serving-options").roles(Role.DATA_SCIENTIST).body(ServingOptions.class).returns(ServingOptions.class)
                .summary("sets {\"ignoreUnknownColumns\", \"maxBatch\", \"maxDelayMicros\", \"concurrentBatches\"}; fields left out take their defaults")
                .handle(call -> predictor().setOptions(call.path("name"), (ServingOptions) call.body()));
        r.delete("/api/models/{name}/serving-options").roles(Role.DATA_SCIENTIST).returns(ServingOptions.class)
                .summary("back to the defaults: strict columns, no batching")
                .handle(call -> predictor().setOptions(call.path("name"), ServingOptions.DEFAULT));
        r.get("/api/serving").roles(Role.DATA_SCIENTIST).returns(Map.class)
                .summary("per-version counters, loaded models and the prediction log queue")
                .handle(call -> predictor().stats());
    }

    private static Integer version(Call<?> call) {
        return call.query("version") == null ? null : call.queryInt("version", 0, 1, Integer.MAX_VALUE);
    }

    /** The predict body, at most {@code max.body.bytes} (live configuration), bound strictly. */
    private PredictRequest read(Call<?> call) throws IOException {
        long max = predictor().maxBodyBytes;
        long length = call.request().getContentLengthLong();
        if (length > max) {
            throw tooLarge(max);
        }
        byte[] bytes;
        try (InputStream in = call.request().getInputStream()) {
            if (length >= 0) { // the usual case: read exactly that much into one array
                bytes = new byte[(int) length];
                int n = in.readNBytes(bytes, 0, bytes.length);
                if (n < bytes.length) {
                    throw new InvalidFieldException("body", "the request body ended after " + n + " of " + length + " bytes");
                }
            } else {
                bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, max + 1));
            }
        } catch (InvalidFieldException e) {
            throw e;
        } catch (RuntimeException e) {
            // the container's refusal while the body streams in (a broken chunked encoding, say)
            throw new InvalidFieldException("body", "the request body could not be read");
        }
        if (bytes.length > max) {
            throw tooLarge(max);
        }
        return bind(bytes);
    }

    /** A predict body bound strictly, its rows knowing their text in it ({@link ReadRows#json}). */
    static PredictRequest bind(byte[] bytes) throws IOException {
        PredictRequest body = Json.MAPPER.readValue(bytes, PredictRequest.class);
        if (body == null) {
            throw new InvalidFieldException("body", "the request body must be a JSON object, was null");
        }
        if (body.rows() instanceof ReadRows rows) {
            rows.body = bytes;
        }
        return body;
    }

    private static ApiException tooLarge(long max) {
        return new ApiException(413, "request body larger than " + max + " bytes", "body", null);
    }
}
