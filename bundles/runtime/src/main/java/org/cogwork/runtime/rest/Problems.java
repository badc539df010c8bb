package org.cogwork.runtime.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.EOFException;
import java.io.IOException;
import org.cogwork.api.problem.ApiException;
import org.cogwork.api.problem.InvalidFieldException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place a failure becomes an HTTP answer: {@link ApiException} types keep their status and field; JSON
 * binding failures become 400s naming the JSON path; a body cut short is a 400; anything else is our fault, a 500
 * whose detail stays in the log (the response never carries a stack trace or a class name).
 */
public final class Problems {
    private static final Logger LOG = LoggerFactory.getLogger(Problems.class);
    /** The challenge sent with every 401: both kinds of credentials are accepted. */
    public static final String CHALLENGE = "Basic realm=\"cogwork\", Bearer realm=\"cogwork\"";

    private Problems() {
    }

    /** The refusal {@code e} stands for; logs our own faults. */
    public static ApiException of(Throwable e, HttpServletRequest req) {
        if (e instanceof ApiException a) {
            return a;
        }
        if (e instanceof JsonProcessingException j) {
            return Json.badRequest(j);
        }
        if (e instanceof EOFException) {
            // the client closed or cut the body short (Jetty's EofException is one)
            return new InvalidFieldException("body", "the request body ended before it was complete");
        }
        if (e instanceof IllegalArgumentException) {
            // a library's refusal of a value the client chose (an engine's hyperparameter check, say)
            return new ApiException(400, e.getMessage(), null, null);
        }
        LOG.error("{} {} failed", req.getMethod(), req.getRequestURI(), e);
        return new ApiException(500, "internal error", null, "see the server log");
    }

    /** Writes {@code e} in {@code shape}, with the headers its status needs. The response must not be committed. */
    public static void write(HttpServletRequest req, HttpServletResponse resp, ApiException e, ErrorShape shape) throws IOException {
        resp.reset();
        resp.setStatus(e.status());
        if (e.retryAfterSeconds() > 0) {
            resp.setHeader("Retry-After", Long.toString(e.retryAfterSeconds()));
        }
        if (e.status() == 401) {
            resp.setHeader("WWW-Authenticate", CHALLENGE);
        }
        JsonServlet.closeIfBodyUnread(req, resp);
        Json.write(resp, (shape == null ? ErrorShape.DEFAULT : shape).body(e));
    }
}
