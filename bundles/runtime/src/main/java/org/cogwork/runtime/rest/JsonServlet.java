package org.cogwork.runtime.rest;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.cogwork.api.problem.ApiException;

/**
 * Base class of the few servlets outside the route table ({@code /health}): subclasses implement {@link #handle}
 * and return a {@link Reply} (or throw {@link ApiException}); failures are mapped by {@link Problems}, like
 * routes' are. REST areas declare {@link Route routes} instead.
 */
public abstract class JsonServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

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
        } catch (RuntimeException | IOException e) {
            Problems.write(req, resp, Problems.of(e, req), ErrorShape.DEFAULT);
            return;
        }
        resp.setStatus(reply.status());
        closeIfBodyUnread(req, resp);
        if (reply.body() != null) {
            Json.write(resp, reply.body());
        }
    }

    /** The largest declared body read to its end before a refusal is sent, instead of closing the connection. */
    static final long DRAIN_LIMIT = 1 << 20;

    /**
     * Deals with a request body not read to its end (an answer given before reading it, a parse error half-way):
     * a declared rest of at most {@link #DRAIN_LIMIT} bytes is read and dropped; otherwise the client is asked to
     * close the connection, which Jetty would close after the answer anyway rather than read the rest. Call before
     * the response is committed.
     */
    public static void closeIfBodyUnread(HttpServletRequest req, HttpServletResponse resp) {
        if (req.getContentLengthLong() <= 0 && req.getHeader("Transfer-Encoding") == null) {
            return;
        }
        try {
            jakarta.servlet.ServletInputStream in = req.getInputStream();
            if (in.isFinished()) {
                return;
            }
            // a small declared rest is read and dropped, so a client still sending gets the answer instead of a reset
            // connection (clients that write the whole body before reading, such as the JDK's, would see an error)
            long declared = req.getContentLengthLong();
            if (declared > 0 && declared <= DRAIN_LIMIT) {
                if (in.read() < 0) { // read to its end but not told so yet: the usual case, no buffer needed
                    return;
                }
                byte[] sink = new byte[8192];
                while (in.read(sink) >= 0) {
                    // dropped
                }
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
