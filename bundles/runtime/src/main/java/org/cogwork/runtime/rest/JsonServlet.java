package org.cogwork.runtime.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.EOFException;
import java.io.IOException;
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
        } catch (JsonProcessingException e) {
            ApiException a = Json.badRequest(e);
            reply = new Reply(a.status(), new ErrorBody(a.getMessage(), a.field(), null));
        } catch (EOFException e) {
            // the client closed or cut the body short (Jetty's EofException is one)
            reply = new Reply(400, new ErrorBody("the request body ended before it was complete", "body", null));
        } catch (IllegalArgumentException e) {
            reply = new Reply(400, new ErrorBody(e.getMessage(), null, null));
        } catch (RuntimeException | IOException e) {
            LOG.error("{} {} failed", req.getMethod(), req.getRequestURI(), e);
            reply = new Reply(500, new ErrorBody("internal error", null, "see the server log"));
        }
        resp.setStatus(reply.status());
        closeIfBodyUnread(req, resp);
        if (reply.body() != null) {
            resp.setContentType("application/json");
            resp.setCharacterEncoding("UTF-8");
            Json.MAPPER.writerWithDefaultPrettyPrinter().writeValue(resp.getOutputStream(), reply.body());
        }
    }

    /**
     * Asks the client to close the connection when the request body was not read to its end (an answer given
     * before reading it, a parse error half-way): Jetty would close the connection after the answer anyway rather
     * than read the rest, and a client must be told so. Call before the response is committed.
     */
    public static void closeIfBodyUnread(HttpServletRequest req, HttpServletResponse resp) {
        if (req.getContentLengthLong() <= 0 && req.getHeader("Transfer-Encoding") == null) {
            return;
        }
        try {
            if (req.getInputStream().isFinished()) {
                return;
            }
        } catch (IOException | IllegalStateException e) {
            // read through getReader(), or broken: close to be safe
        }
        resp.setHeader("Connection", "close");
    }

    /** A 405 naming the method, for resources that do not support it. */
    protected static ApiException methodNotAllowed(String method, String path) {
        return new ApiException(405, "method " + method + " is not supported on this resource", null, path);
    }
}
