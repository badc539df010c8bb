package org.cogwork.runtime.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Base class of Cogwork's REST servlets: subclasses implement {@link #handle} and return a body (or throw
 * {@link ApiException}); this class writes JSON and maps every failure onto {@link ErrorBody}. Our own
 * faults become a 500 with no stack trace in the response (it goes to the log).
 */
public abstract class JsonServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(JsonServlet.class);

    /** A response: status and body (serialised with {@link Json#MAPPER}; {@code null} for no body). */
    public record Reply(int status, Object body) {
        public static Reply ok(Object body) {
            return new Reply(200, body);
        }
    }

    /**
     * Serves one request.
     *
     * @param method the HTTP method
     * @param path the path below the servlet's pattern ({@code ""} for the pattern itself), never {@code null}
     */
    protected abstract Reply handle(String method, String path, HttpServletRequest req) throws IOException;

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String path = req.getPathInfo() == null ? "" : req.getPathInfo();
        Reply reply;
        try {
            reply = handle(req.getMethod(), path, req);
        } catch (ApiException e) {
            reply = new Reply(e.status(), new ErrorBody(e.getMessage(), e.field(), e.detail()));
        } catch (UnrecognizedPropertyException e) {
            reply = new Reply(400, new ErrorBody("unknown field '" + e.getPropertyName() + "'", fieldPath(e), null));
        } catch (MismatchedInputException e) {
            reply = new Reply(400, new ErrorBody("wrong type or missing value", fieldPath(e), e.getOriginalMessage()));
        } catch (JsonProcessingException e) {
            reply = new Reply(400, new ErrorBody("malformed JSON", "body", e.getOriginalMessage()));
        } catch (IllegalArgumentException e) {
            reply = new Reply(400, new ErrorBody(e.getMessage(), null, null));
        } catch (RuntimeException e) {
            LOG.error("{} {} failed", req.getMethod(), req.getRequestURI(), e);
            reply = new Reply(500, new ErrorBody("internal error", null, e.getClass().getSimpleName()));
        }
        resp.setStatus(reply.status());
        if (reply.body() != null) {
            resp.setContentType("application/json");
            resp.setCharacterEncoding("UTF-8");
            Json.MAPPER.writerWithDefaultPrettyPrinter().writeValue(resp.getOutputStream(), reply.body());
        }
    }

    private static String fieldPath(MismatchedInputException e) {
        String p = e.getPath().stream()
                .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining("."));
        return p.isEmpty() ? "body" : p.replace(".[", "[");
    }

    /** A 405 naming the method, for resources that do not support it. */
    protected static ApiException methodNotAllowed(String method, String path) {
        return new ApiException(405, "method " + method + " is not supported on this resource", null, path);
    }
}
