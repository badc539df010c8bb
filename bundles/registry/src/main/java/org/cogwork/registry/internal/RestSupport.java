package org.cogwork.registry.internal;

import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import org.cogwork.runtime.rest.ApiException;
import org.cogwork.runtime.rest.JsonServlet;

/**
 * The registry's REST servlets: {@link NoSuchElementException} becomes a 404, {@link InvalidField} a 400 naming
 * its field (the shared {@link JsonServlet} maps the rest).
 */
abstract class RestSupport extends JsonServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected final Reply handle(String method, String path, HttpServletRequest req) throws IOException {
        try {
            return serve(method, segments(path), req);
        } catch (NoSuchElementException e) {
            throw ApiException.notFound(e.getMessage());
        } catch (InvalidField e) {
            throw ApiException.badRequest(e.field(), e.getMessage());
        }
    }

    protected abstract Reply serve(String method, List<String> seg, HttpServletRequest req) throws IOException;

    /** Path segments below the servlet pattern, URL-decoded. */
    static List<String> segments(String path) {
        List<String> out = new ArrayList<>();
        for (String s : path.split("/")) {
            if (!s.isEmpty()) {
                out.add(URLDecoder.decode(s, StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    static int intParam(HttpServletRequest req, String name, int dflt) {
        String v = req.getParameter(name);
        if (v == null || v.isBlank()) {
            return dflt;
        }
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw ApiException.badRequest(name, name + " must be an integer, was '" + v + "'");
        }
    }

    static int version(String v) {
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("version", "version must be an integer, was '" + v + "'");
        }
    }

    /** Who asks: header {@code X-Cogwork-Actor}, else the authenticated user, else the client address. */
    static String actor(HttpServletRequest req) {
        String a = req.getHeader("X-Cogwork-Actor");
        if (a != null && !a.isBlank()) {
            return a.strip();
        }
        if (req.getRemoteUser() != null) {
            return req.getRemoteUser();
        }
        return "api@" + req.getRemoteAddr();
    }

    static ApiException notFound(String method, String path) {
        return ApiException.notFound("no such resource: " + method + " " + path);
    }
}
