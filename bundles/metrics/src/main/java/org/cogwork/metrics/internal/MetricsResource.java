package org.cogwork.metrics.internal;

import java.nio.charset.StandardCharsets;
import org.cogwork.api.security.Role;
import org.cogwork.runtime.rest.Reply;
import org.cogwork.runtime.rest.RestResource;
import org.cogwork.runtime.rest.Routes;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * {@code GET /metrics}: every meter in the Prometheus text format, for admins and {@code metrics} tokens (a token made
 * with {@code POST /api/tokens {"role": "metrics"}} may read this and nothing else). A route like any other: the one
 * REST layer checks the caller and its role; the handler writes the text itself because the answer is not JSON.
 */
@Component(service = RestResource.class)
public class MetricsResource implements RestResource {
    private final Metrics metrics;

    @Activate
    public MetricsResource(@Reference Metrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public void routes(Routes routes) {
        routes.tag("metrics");
        routes.get("/metrics").roles(Role.METRICS)
                .summary("every meter in the Prometheus text format (version 0.0.4): predictions per model version, "
                        + "the prediction log, the JVM, HTTP requests")
                .handle(call -> {
                    byte[] text = metrics.scrape().getBytes(StandardCharsets.UTF_8);
                    var resp = call.response();
                    resp.setStatus(200);
                    resp.setContentType(Metrics.CONTENT_TYPE);
                    resp.setHeader("Cache-Control", "no-store");
                    resp.setContentLength(text.length);
                    resp.getOutputStream().write(text);
                    return Reply.WRITTEN;
                });
    }
}
