package org.cogwork.runtime.internal;

import java.nio.ByteBuffer;
import org.apache.felix.http.jetty.ConnectorFactory;
import org.cogwork.runtime.rest.ErrorBody;
import org.cogwork.runtime.rest.Json;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpHeaderValue;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.LocalConnector;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;
import org.osgi.service.component.annotations.Component;

/**
 * Jetty's server-level error handler replaced by one that answers in the common JSON error shape. It answers what
 * Jetty rejects before any servlet runs: a request line or URI it cannot parse (bad percent-encoding, {@code %00},
 * an ambiguous path segment) and over-long URIs or headers. Jetty closes the connection after such an error, so the
 * answer says {@code Connection: close}.
 *
 * <p>Felix HTTP offers no setting for the server's error handler (only extra headers on Jetty's HTML page); its one
 * hook that hands a bundle the Jetty {@link Server} is {@link ConnectorFactory}. The connector returned is a
 * {@link LocalConnector} with no acceptor thread (not on the network, never used); stopping it, when this bundle
 * stops, puts Jetty's own handler back.
 */
@Component(name = "org.cogwork.runtime.jettyerrors", service = ConnectorFactory.class)
public class JettyErrors implements ConnectorFactory {

    @Override
    public Connector createConnector(Server server) {
        Request.Handler previous = server.getErrorHandler();
        Request.Handler json = new JsonErrors();
        server.setErrorHandler(json);
        LocalConnector connector = new LocalConnector(server, null, null, null, 0, new HttpConnectionFactory()) {
            @Override
            protected void doStop() throws Exception {
                super.doStop();
                if (server.getErrorHandler() == json) {
                    server.setErrorHandler(previous);
                }
            }
        };
        connector.setName("cogwork-json-errors");
        return connector;
    }

    static final class JsonErrors implements Request.Handler {
        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            int status = response.getStatus() >= 400 ? response.getStatus() : 500;
            String reason = ErrorPageServlet.reason(status);
            Object message = request.getAttribute(ErrorHandler.ERROR_MESSAGE);
            String detail = status >= 500 && status != 505 || message == null || message.toString().equalsIgnoreCase(reason) ? null : message.toString();
            if (status == 400 && (detail == null || detail.equalsIgnoreCase("Bad Request"))) {
                detail = "the request line, URI or headers could not be parsed (bad percent-encoding, a NUL or control character?)";
            }
            byte[] body;
            try {
                body = Json.MAPPER.writeValueAsBytes(new ErrorBody(reason, status == 414 ? "uri" : null, detail));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                body = "{\"error\":\"internal error\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
            }
            response.setStatus(status);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json;charset=utf-8");
            response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
            response.getHeaders().put(HttpHeader.CONNECTION, HttpHeaderValue.CLOSE.asString());
            response.write(true, ByteBuffer.wrap(body), callback);
            return true;
        }
    }
}
