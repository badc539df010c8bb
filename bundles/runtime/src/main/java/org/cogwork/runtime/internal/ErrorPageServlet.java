package org.cogwork.runtime.internal;

import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.cogwork.runtime.rest.ErrorBody;
import org.cogwork.runtime.rest.Json;
import org.cogwork.runtime.rest.JsonServlet;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletErrorPage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whiteboard error page for every 4xx and 5xx that a servlet or filter leaves to the container (an
 * exception that escapes, a {@code sendError}): the common JSON error shape instead of Jetty's HTML page.
 * Errors Jetty answers before any servlet (a malformed request line, an over-long URI) are {@link JettyErrors}'.
 */
@Component(name = "org.cogwork.runtime.errorpage", service = Servlet.class)
@HttpWhiteboardServletErrorPage(errorPage = {"4xx", "5xx"})
public class ErrorPageServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ErrorPageServlet.class);

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        Object code = req.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
        int status = code instanceof Integer i ? i : 500;
        Object message = req.getAttribute(RequestDispatcher.ERROR_MESSAGE);
        Object failure = req.getAttribute(RequestDispatcher.ERROR_EXCEPTION);
        ErrorBody body;
        if (status >= 500) {
            if (failure instanceof Throwable t) {
                LOG.error("{} {} failed", req.getMethod(), req.getAttribute(RequestDispatcher.ERROR_REQUEST_URI), t);
            }
            body = new ErrorBody(status == 503 ? "service unavailable" : "internal error", null, "see the server log");
        } else {
            String reason = reason(status);
            String detail = message == null || failure != null ? null : message.toString();
            body = new ErrorBody(reason, null, detail == null || detail.equalsIgnoreCase(reason) ? null : detail);
        }
        JsonServlet.closeIfBodyUnread(req, resp);
        write(resp, status, body);
    }

    static void write(HttpServletResponse resp, int status, ErrorBody body) throws IOException {
        resp.setStatus(status);
        Json.write(resp, body);
    }

    static String reason(int status) {
        return switch (status) {
            case 400 -> "bad request";
            case 401 -> "unauthorized";
            case 403 -> "forbidden";
            case 404 -> "not found";
            case 405 -> "method not allowed";
            case 408 -> "request timeout";
            case 413 -> "request body too large";
            case 414 -> "URI too long";
            case 415 -> "unsupported media type";
            case 431 -> "request headers too large";
            case 501 -> "not implemented";
            case 505 -> "HTTP version not supported";
            default -> status >= 500 ? "internal error" : "request refused (" + status + ")";
        };
    }
}
