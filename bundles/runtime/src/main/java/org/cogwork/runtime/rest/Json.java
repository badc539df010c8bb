package org.cogwork.runtime.rest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Collection;
import java.util.Map;
import java.util.stream.Collectors;
import org.cogwork.api.problem.ApiException;
import org.cogwork.api.security.Role;

/**
 * The one JSON mapper configuration and the one way to read a request body. {@link ObjectMapper} is thread-safe
 * once configured.
 *
 * <p>Bodies are read with {@link #readObject(HttpServletRequest, Class)} (or {@link #readObject(HttpServletRequest)}
 * for a tree): anything but a JSON object ({@code null}, an array, a scalar, nothing) is a 400 naming {@code body},
 * and every Jackson failure becomes a 400 that names the JSON path and the expected JSON type, never a Java class.
 */
public final class Json {
    /** The longest name or key accepted (experiment, run and model names, tag, param and metric keys, ids). */
    public static final int MAX_NAME_LENGTH = 250;
    /** How much of an input an error message quotes. */
    public static final int QUOTE_LENGTH = 100;
    /** Parser limits: no request may make the server build a 10,000-level tree or a 100 MB string. */
    public static final int MAX_NESTING = 100;
    public static final int MAX_STRING_LENGTH = 1_000_000;
    public static final int MAX_FIELD_NAME_LENGTH = 1000;

    public static final ObjectMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder()
                            .maxNestingDepth(MAX_NESTING)
                            .maxStringLength(MAX_STRING_LENGTH)
                            .maxNameLength(MAX_FIELD_NAME_LENGTH)
                            .build())
                    // Schubfach for doubles both ways: Double.toString was a twentieth of serving's request threads (JFR)
                    .enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER)
                    .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
                    .build())
            .addModule(new JavaTimeModule())
            .addModule(roles())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            // strict binding: "42" is not a number, 1.5 is not an integer, 7 is not a string, nothing is coerced
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .withCoercionConfigDefaults(c -> c.setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail))
            .withCoercionConfig(LogicalType.Textual, c -> c.setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
            .build();

    private Json() {
    }

    /** Roles travel as their ids ({@code data-scientist}); anything else is a 400 listing them. */
    private static SimpleModule roles() {
        SimpleModule m = new SimpleModule("cogwork-roles");
        m.addSerializer(Role.class, new JsonSerializer<Role>() {
            @Override
            public void serialize(Role r, JsonGenerator g, SerializerProvider p) throws IOException {
                g.writeString(r.id());
            }
        });
        m.addDeserializer(Role.class, new JsonDeserializer<Role>() {
            @Override
            public Role deserialize(JsonParser p, DeserializationContext ctx) throws IOException {
                if (p.currentToken() != JsonToken.VALUE_STRING) {
                    return (Role) ctx.handleUnexpectedToken(Role.class, p);
                }
                String id = p.getText();
                for (Role r : Role.values()) {
                    if (r.id().equals(id)) {
                        return r;
                    }
                }
                return (Role) ctx.handleWeirdStringValue(Role.class, id, "unknown role");
            }
        });
        return m;
    }

    /**
     * The one way to write a JSON reply: {@code body} as UTF-8 JSON, whole, with its {@code Content-Length}. Streamed, a
     * reply larger than Jetty's buffer (a 100-row prediction, a long list) went out chunked, and to an HTTP/1.0 client
     * without a length, so the connection closed after every such reply. The status and other headers are the
     * caller's, set before.
     */
    public static void write(HttpServletResponse resp, Object body) throws IOException {
        byte[] bytes = MAPPER.writeValueAsBytes(body);
        resp.setContentType("application/json");
        resp.setCharacterEncoding("UTF-8");
        resp.setContentLength(bytes.length);
        resp.getOutputStream().write(bytes);
    }

    /**
     * Reads the request body as one JSON object mapped onto {@code type}.
     *
     * @throws ApiException 400 for an empty body, malformed JSON, anything but an object, a wrong type or an
     *     unknown field (naming the JSON path)
     */
    public static <T> T readObject(HttpServletRequest req, Class<T> type) throws IOException {
        ObjectNode tree = readObject(req);
        try {
            return MAPPER.treeToValue(tree, type);
        } catch (JsonProcessingException e) {
            throw badRequest(e);
        }
    }

    /** Reads the request body as a JSON object tree; see {@link #readObject(HttpServletRequest, Class)}. */
    public static ObjectNode readObject(HttpServletRequest req) throws IOException {
        try (InputStream in = req.getInputStream()) {
            return readObject(in);
        }
    }

    /** Reads a JSON object from a stream (a body already bounded by its reader, for instance). */
    public static ObjectNode readObject(InputStream in) throws IOException {
        JsonNode n = readTree(in);
        if (n == null || n.isMissingNode()) {
            throw ApiException.badRequest("body", "the request body is empty: expected a JSON object");
        }
        if (!n.isObject()) {
            throw ApiException.badRequest("body", "the request body must be a JSON object, was " + jsonType(n));
        }
        return (ObjectNode) n;
    }

    /**
     * Reads the request body as a JSON object, or an empty object when the body is empty (for resources whose
     * fields are all optional).
     */
    public static ObjectNode readOptionalObject(HttpServletRequest req) throws IOException {
        try (InputStream in = req.getInputStream()) {
            JsonNode n = readTree(in);
            if (n == null || n.isMissingNode()) {
                return MAPPER.createObjectNode();
            }
            if (!n.isObject()) {
                throw ApiException.badRequest("body", "the request body must be a JSON object, was " + jsonType(n));
            }
            return (ObjectNode) n;
        }
    }

    private static JsonNode readTree(InputStream in) throws IOException {
        try {
            return MAPPER.readTree(in);
        } catch (JsonProcessingException e) {
            throw badRequest(e);
        } catch (EOFException e) {
            throw ApiException.badRequest("body", "the request body ended before it was complete");
        } catch (RuntimeException e) {
            // the container's own refusal while the body streams in (a broken chunked encoding, say)
            throw ApiException.badRequest("body", "the request body could not be read");
        }
    }

    /**
     * A Jackson failure in people's terms: 400, the JSON path as the field, what JSON type was expected; no Java
     * class names, and the input quoted only up to {@link #QUOTE_LENGTH} characters.
     */
    public static ApiException badRequest(JsonProcessingException e) {
        if (e instanceof StreamConstraintsException c) {
            return ApiException.badRequest("body", limitMessage(c.getOriginalMessage()));
        }
        if (e instanceof JsonEOFException) {
            return ApiException.badRequest("body", "malformed JSON: the body ends in the middle of a value");
        }
        if (e instanceof JsonParseException p) {
            return ApiException.badRequest("body", "malformed JSON" + (p.getLocation() == null ? ""
                    : " at line " + p.getLocation().getLineNr() + ", column " + p.getLocation().getColumnNr()));
        }
        if (e instanceof UnrecognizedPropertyException u) {
            String known = u.getKnownPropertyIds() == null ? "" : "; known fields: " + u.getKnownPropertyIds().stream()
                    .map(String::valueOf).sorted().collect(Collectors.joining(", "));
            return ApiException.badRequest(path(u), "unknown field " + quote(u.getPropertyName()) + known);
        }
        if (e instanceof JsonMappingException m && m.getCause() instanceof ApiException a) {
            // a record's own check (an out-of-range value): its field, below the object being built
            String at = path(m);
            String field = a.field() == null ? at : "body".equals(at) ? a.field() : at + "." + a.field();
            return new ApiException(a.status(), a.getMessage(), field, a.detail());
        }
        if (e instanceof JsonMappingException m) {
            String field = path(m);
            if (m.getCause() instanceof StreamConstraintsException c) {
                return ApiException.badRequest(field, limitMessage(c.getOriginalMessage()));
            }
            String expected = m instanceof MismatchedInputException mi ? expected(mi.getTargetType()) : null;
            String was = m instanceof InvalidFormatException f && f.getValue() != null ? ", was " + quote(String.valueOf(f.getValue())) : "";
            if (expected != null) {
                return ApiException.badRequest(field, field + ": expected " + expected + was);
            }
            return ApiException.badRequest(field, field + ": invalid value" + was);
        }
        return ApiException.badRequest("body", "malformed JSON");
    }

    /** At most {@link #QUOTE_LENGTH} characters of an input, in single quotes, with "…" when cut. */
    public static String quote(String input) {
        if (input == null) {
            return "null";
        }
        return "'" + (input.length() > QUOTE_LENGTH ? input.substring(0, QUOTE_LENGTH) + "…" : input) + "'";
    }

    /**
     * Checks a name or key at the edge: at most {@code max} characters, else a 400 naming {@code field}.
     *
     * @return {@code value} ({@code null} stays {@code null})
     */
    public static String checkLength(String field, String value, int max) {
        if (value != null && value.length() > max) {
            throw ApiException.badRequest(field, field + " must be at most " + max + " characters, was " + value.length());
        }
        return value;
    }

    private static String limitMessage(String m) {
        String s = m == null ? "" : m;
        if (s.startsWith("Document nesting depth")) {
            return "the JSON body is nested more than " + MAX_NESTING + " levels deep";
        }
        if (s.startsWith("String value length")) {
            return "a JSON string in the body is longer than " + MAX_STRING_LENGTH + " characters";
        }
        if (s.startsWith("Name length")) {
            return "a JSON field name in the body is longer than " + MAX_FIELD_NAME_LENGTH + " characters";
        }
        if (s.startsWith("Number value length")) {
            return "a JSON number in the body has too many digits";
        }
        return "the JSON body exceeds a size limit";
    }

    private static String path(JsonMappingException e) {
        String p = e.getPath().stream()
                .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining("."));
        return p.isEmpty() ? "body" : p.replace(".[", "[");
    }

    /** The JSON type a Java target type reads from. */
    static String expected(Class<?> t) {
        if (t == null) {
            return null;
        }
        if (t == String.class || t == Character.class || t == char.class) {
            return "a string";
        }
        if (t == Boolean.class || t == boolean.class) {
            return "true or false";
        }
        if (Number.class.isAssignableFrom(t) || (t.isPrimitive() && t != void.class)) {
            return "a number";
        }
        if (t == Role.class) {
            return "one of admin, data-scientist, annotator, integrator, metrics";
        }
        if (t.isEnum()) {
            return "one of " + Arrays.stream(t.getEnumConstants()).map(String::valueOf).collect(Collectors.joining(", "));
        }
        if (t.isArray() || Collection.class.isAssignableFrom(t)) {
            return "an array";
        }
        if (java.time.temporal.Temporal.class.isAssignableFrom(t)) {
            return "a date-time string";
        }
        if (Map.class.isAssignableFrom(t) || t.isRecord() || !t.getName().startsWith("java.")) {
            return "an object";
        }
        return "a value of another type";
    }

    private static String jsonType(JsonNode n) {
        return switch (n.getNodeType()) {
            case ARRAY -> "an array";
            case STRING -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case NULL -> "null";
            default -> "not an object";
        };
    }
}
