package org.cogwork.runtime.internal;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import org.cogwork.runtime.rest.ErrorBody;
import org.cogwork.runtime.rest.JsonServlet;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.servlet.whiteboard.Preprocessor;

/**
 * Refuses a query string that is not percent-encoded UTF-8 (a 400 in the JSON error shape) before any servlet runs.
 * Jetty parses the query only when a servlet first asks for a parameter, and then throws from inside that servlet:
 * checking once here spares every REST resource (and filter) its own handling.
 */
@Component(name = "org.cogwork.runtime.querycheck", service = Preprocessor.class)
public class QueryStringCheck implements Preprocessor {

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain) throws IOException, ServletException {
        String query = request instanceof HttpServletRequest http ? http.getQueryString() : null;
        if (query != null && !decodable(query)) {
            JsonServlet.closeIfBodyUnread((HttpServletRequest) request, (HttpServletResponse) response);
            ErrorPageServlet.write((HttpServletResponse) response, 400,
                    new ErrorBody("the query string is not valid percent-encoded UTF-8", "query", null));
            return;
        }
        chain.doFilter(request, response);
    }

    static boolean decodable(String query) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(query.length());
        for (int i = 0; i < query.length(); i++) {
            char c = query.charAt(i);
            if (c == '%') {
                if (i + 2 >= query.length() || Character.digit(query.charAt(i + 1), 16) < 0 || Character.digit(query.charAt(i + 2), 16) < 0) {
                    return false;
                }
                bytes.write(Integer.parseInt(query.substring(i + 1, i + 3), 16));
                i += 2;
            } else if (c > 0x7f) {
                return false;
            } else {
                bytes.write(c);
            }
        }
        try {
            StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes.toByteArray()));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    @Override
    public void init(jakarta.servlet.FilterConfig config) {
    }

    @Override
    public void destroy() {
    }
}
