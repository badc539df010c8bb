package org.cogwork.serving.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.cogwork.api.data.MalformedDataException;
import org.cogwork.api.serving.PredictionResponse;
import org.cogwork.runtime.rest.ApiException;
import org.cogwork.runtime.rest.ErrorBody;
import org.cogwork.runtime.rest.Json;
import org.cogwork.runtime.rest.JsonServlet;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardFilterPattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serving's REST resources, which live under the registry's {@code /api/models/} tree: a whiteboard filter
 * answers {@code POST /api/models/{name}/predict} and {@code GET /api/models/{name}/schema}
 * ({@code ?alias=} or {@code ?version=}; default: the model's traffic policy, else alias {@code production}) and
 * {@code GET|PUT|DELETE /api/models/{name}/traffic}, and passes everything else on to the registry. {@code GET /api/serving} shows per-version counters and the prediction log queue.
 *
 * <pre>{@code POST /api/models/credit-risk/predict {"rows": [{"Age": 30, ...}], "callerKey": "user-7"}
 * → {"model": "credit-risk", "version": 3, "predictions": [{"id": "...", "value": "good", "scores": {...}}]}}</pre>
 */
@Component(service = Filter.class)
@HttpWhiteboardFilterPattern({"/api/models/*", "/api/serving"})
public class ServingFilter implements Filter {
    private static final Logger LOG = LoggerFactory.getLogger(ServingFilter.class);
    private final Predictor predictor;

    @Activate
    public ServingFilter(@Reference Predictor predictor) {
        this.predictor = predictor;
    }

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain) throws IOException, ServletException {
        HttpServletRequest req = (HttpServletRequest) request;
        HttpServletResponse resp = (HttpServletResponse) response;
        String path = req.getRequestURI().substring(req.getContextPath().length());
        String[] seg = path.split("/");
        // ["", "api", "models", name, action]
        boolean predict = seg.length == 5 && seg[4].equals("predict") && req.getMethod().equals("POST");
        boolean schema = seg.length == 5 && seg[4].equals("schema") && req.getMethod().equals("GET");
        boolean stats = path.equals("/api/serving") && req.getMethod().equals("GET");
        boolean traffic = seg.length == 5 && seg[4].equals("traffic");
        if (!predict && !schema && !stats && !traffic) {
            chain.doFilter(request, response);
            return;
        }
        int status = 200;
        Object body;
        try {
            if (stats) {
                body = predictor.stats();
            } else {
                String model = java.net.URLDecoder.decode(seg[3], java.nio.charset.StandardCharsets.UTF_8);
                Integer version = version(req.getParameter("version"));
                if (traffic) {
                    body = traffic(model, req);
                } else {
                    body = schema ? predictor.schema(model, req.getParameter("alias"), version) : predict(model, version, req);
                }
            }
        } catch (Rejected e) {
            status = e.status;
            body = new ErrorBody(e.getMessage(), e.field, null);
        } catch (NoSuchElementException e) {
            status = 404;
            body = new ErrorBody(e.getMessage(), null, null);
        } catch (ApiException e) {
            status = e.status();
            body = new ErrorBody(e.getMessage(), e.field(), e.detail());
        } catch (JsonProcessingException e) {
            ApiException a = Json.badRequest(e);
            status = a.status();
            body = new ErrorBody(a.getMessage(), a.field(), null);
        } catch (java.io.EOFException e) {
            status = 400;
            body = new ErrorBody("the request body ended before it was complete", "body", null);
        } catch (MalformedDataException | IllegalArgumentException e) {
            status = 400;
            String m = e.getMessage();
            int colon = m == null ? -1 : m.indexOf(": ");
            String field = colon > 0 && !m.substring(0, colon).contains(" ") ? m.substring(0, colon) : null;
            body = new ErrorBody(m, field, null);
        } catch (UncheckedIOException | IllegalStateException e) {
            LOG.error("Serving {} failed", path, e);
            status = 503;
            body = new ErrorBody("the model cannot be served", null, e.getMessage());
        }
        resp.setStatus(status);
        JsonServlet.closeIfBodyUnread(req, resp);
        resp.setContentType("application/json");
        resp.setCharacterEncoding("UTF-8");
        Json.MAPPER.writeValue(resp.getOutputStream(), body);
    }

    private static final class Rejected extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int status;
        final String field;

        Rejected(int status, String field, String message) {
            super(message);
            this.status = status;
            this.field = field;
        }
    }

    /** GET, PUT or DELETE a model's traffic policy (see {@link TrafficPolicy}). */
    private Object traffic(String model, HttpServletRequest req) throws IOException {
        return switch (req.getMethod()) {
            case "GET" -> Json.MAPPER.readTree(predictor.policy(model).toJson());
            case "PUT" -> {
                try (InputStream in = req.getInputStream()) {
                    yield Json.MAPPER.readTree(predictor.setPolicy(model, TrafficPolicy.parse(Json.readObject(in))).toJson());
                }
            }
            case "DELETE" -> Json.MAPPER.readTree(predictor.setPolicy(model, TrafficPolicy.NONE).toJson());
            default -> throw new Rejected(405, null, "use GET, PUT or DELETE on /api/models/{name}/traffic");
        };
    }

    private static Integer version(String v) {
        if (v == null) {
            return null;
        }
        try {
            return Integer.valueOf(v);
        } catch (NumberFormatException e) {
            throw new Rejected(400, "version", "version must be a number, was '" + v + "'");
        }
    }

    private Map<String, Object> predict(String model, Integer version, HttpServletRequest req) throws IOException {
        long length = req.getContentLengthLong();
        if (length > predictor.maxBodyBytes) {
            throw new Rejected(413, "body", "request body larger than " + predictor.maxBodyBytes + " bytes");
        }
        JsonNode body;
        try (InputStream in = req.getInputStream()) {
            byte[] bytes;
            try {
                bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, predictor.maxBodyBytes + 1));
            } catch (RuntimeException e) {
                // the container's refusal while the body streams in (a broken chunked encoding, say)
                throw new Rejected(400, "body", "the request body could not be read");
            }
            if (bytes.length > predictor.maxBodyBytes) {
                throw new Rejected(413, "body", "request body larger than " + predictor.maxBodyBytes + " bytes");
            }
            body = Json.readObject(new java.io.ByteArrayInputStream(bytes));
        }
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!List.of("rows", "callerKey", "alias").contains(f)) {
                throw new Rejected(400, f, "unknown field '" + f + "'; use rows, callerKey, alias");
            }
        }
        JsonNode rows = body.path("rows");
        if (!rows.isArray()) {
            throw new Rejected(400, "rows", "rows must be an array of objects (column → value)");
        }
        List<Map<String, Object>> input = new ArrayList<>(rows.size());
        for (int i = 0; i < rows.size(); i++) {
            JsonNode r = rows.get(i);
            if (!r.isObject()) {
                throw new Rejected(400, "rows[" + i + "]", "each row must be an object of column → value");
            }
            Map<String, Object> row = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = r.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                JsonNode v = e.getValue();
                if (v.isContainerNode()) {
                    throw new Rejected(400, "rows[" + i + "]." + e.getKey(), "values must be strings, numbers, booleans or null");
                }
                row.put(e.getKey(), v.isNull() ? null : v.isTextual() ? v.asText() : v.isBoolean() ? (Object) v.asBoolean()
                        : v.isIntegralNumber() ? (Object) v.longValue() : (Object) v.doubleValue());
            }
            input.add(row);
        }
        String alias = body.hasNonNull("alias") ? body.get("alias").asText() : req.getParameter("alias");
        PredictionResponse r = predictor.predict(model, alias, version,
                body.hasNonNull("callerKey") ? body.get("callerKey").asText() : null, input);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("model", r.modelName());
        out.put("version", r.version());
        List<Map<String, Object>> predictions = new ArrayList<>();
        for (PredictionResponse.Item item : r.predictions()) {
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("id", item.predictionId());
            p.put("value", item.prediction().value());
            p.put("scores", item.prediction().scores());
            predictions.add(p);
        }
        out.put("predictions", predictions);
        return out;
    }

    @Override
    public void init(jakarta.servlet.FilterConfig filterConfig) {
    }

    @Override
    public void destroy() {
    }
}
