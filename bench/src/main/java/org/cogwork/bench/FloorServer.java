package org.cogwork.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.util.UUID;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;

/**
 * The serving floor (issue 19): what the machine allows for a JSON predict call without a model, so that
 * {@code bench/serving-bench.sh} can print Cogwork's figures as ratios to it. A bare Jetty 12 (the version Felix
 * HTTP embeds in Cogwork) handler on loopback that reads the body, parses it with Jackson and answers with a reply of
 * the shape and size of Cogwork's: per row a fresh UUID, a label and two scores. No sign-in, no routing, no model,
 * no log. Args: {@code <port>}.
 */
public final class FloorServer {
    private static final ObjectMapper JSON = new ObjectMapper();

    private FloorServer() {
    }

    public static void main(String[] args) throws Exception {
        Server server = new Server();
        ServerConnector http = new ServerConnector(server);
        http.setHost("127.0.0.1");
        http.setPort(Integer.parseInt(args[0]));
        server.addConnector(http);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                ByteBuffer in = Content.Source.asByteBuffer(request);
                byte[] body = new byte[in.remaining()];
                in.get(body);
                JsonNode rows = JSON.readTree(body).path("rows");
                ObjectNode out = JSON.createObjectNode().put("model", "credit-risk").put("version", 1);
                ArrayNode predictions = out.putArray("predictions");
                for (int i = 0; i < rows.size(); i++) {
                    ObjectNode p = predictions.addObject().put("id", UUID.randomUUID().toString());
                    p.putObject("prediction").put("value", "good").putObject("scores").put("good", 0.8123).put("bad", 0.1877);
                }
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
                response.write(true, ByteBuffer.wrap(JSON.writeValueAsBytes(out)), callback);
                return true;
            }
        });
        server.start();
        System.out.println("floor listening on 127.0.0.1:" + http.getLocalPort());
        server.join();
    }
}
