package org.cogwork.metrics.internal;

import io.micrometer.core.instrument.Timer;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.cogwork.runtime.rest.Route;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.propertytypes.ServiceRanking;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardFilterPattern;

/**
 * The HTTP server's meters: {@code http_server_requests_seconds{method, uri, status, outcome}} for every request
 * that passed the front door ({@code CrossSiteFilter} and {@code AuthFilter} rank above this filter, so their
 * refusals are in the audit log, not here). {@code uri} is the route's template as the REST layer set it
 * ({@link Route#ATTRIBUTE}), {@code /health}, or {@code UNKNOWN}: never the path itself, so callers cannot make
 * new series. Timers are cached per tag combination: a request costs two clock reads and one map lookup.
 */
@Component(service = Filter.class)
@HttpWhiteboardFilterPattern("/*")
@ServiceRanking(Integer.MAX_VALUE - 2)
public class HttpMeters implements Filter {
    private final Metrics metrics;
    private final Map<String, Timer> timers = new ConcurrentHashMap<>();

    @Activate
    public HttpMeters(@Reference Metrics metrics) {
        this.metrics = metrics;
    }

    @Deactivate
    void deactivate() {
        timers.values().forEach(metrics.registry()::remove);
        timers.clear();
    }

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain) throws IOException, ServletException {
        long t0 = System.nanoTime();
        try {
            chain.doFilter(request, response);
        } finally {
            HttpServletRequest req = (HttpServletRequest) request;
            int status = ((HttpServletResponse) response).getStatus();
            Object route = req.getAttribute(Route.ATTRIBUTE);
            String uri = route instanceof String s ? s : "/health".equals(req.getRequestURI()) ? "/health" : "UNKNOWN";
            String method = known(req.getMethod());
            timers.computeIfAbsent(method + ' ' + status + ' ' + uri, k -> Timer.builder("http.server.requests")
                    .description("HTTP requests that passed the front door, by route template")
                    .tag("method", method).tag("uri", uri).tag("status", Integer.toString(status))
                    .tag("outcome", outcome(status))
                    .register(metrics.registry()))
                    .record(System.nanoTime() - t0, TimeUnit.NANOSECONDS);
        }
    }

    /** Methods outside the usual set are one label value, so a client cannot make series by inventing methods. */
    private static String known(String method) {
        return switch (method) {
            case "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS" -> method;
            default -> "OTHER";
        };
    }

    private static String outcome(int status) {
        return status < 200 ? "INFORMATIONAL" : status < 300 ? "SUCCESS" : status < 400 ? "REDIRECTION"
                : status < 500 ? "CLIENT_ERROR" : "SERVER_ERROR";
    }
}
