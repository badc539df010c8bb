package org.cogwork.runtime.rest;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.cogwork.api.problem.InvalidFieldException;
import org.cogwork.api.security.Principal;

/** One request to a route, as its handler sees it. */
public interface Call<B> {
    /** The request body bound to the route's body type (strictly: unknown fields and wrong types were 400s). */
    B body();

    /** A path parameter of the route's template, URL-decoded. */
    String path(String name);

    /** The authenticated caller; the only identity a write may record. Anonymous routes get {@code null}. */
    Principal principal();

    /** A query parameter, or {@code null} when absent or blank. */
    String query(String name);

    /** An integer query parameter in [min, max], {@code dflt} when absent; a 400 naming it otherwise. */
    default int queryInt(String name, int dflt, int min, int max) {
        String v = query(name);
        if (v == null) {
            return dflt;
        }
        int n;
        try {
            n = Integer.parseInt(v.strip());
        } catch (NumberFormatException e) {
            throw new InvalidFieldException(name, name + " must be an integer, was '" + Json.quote(v) + "'");
        }
        if (n < min || n > max) {
            throw new InvalidFieldException(name, name + " must be between " + min + " and " + max + ", was " + n);
        }
        return n;
    }

    /** A boolean query parameter ({@code true}/{@code false}), {@code dflt} when absent; a 400 naming it otherwise. */
    default boolean queryBoolean(String name, boolean dflt) {
        String v = query(name);
        if (v == null) {
            return dflt;
        }
        return switch (v.strip()) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new InvalidFieldException(name, name + " must be true or false, was '" + Json.quote(v) + "'");
        };
    }

    /** The servlet request, for routes that stream their body (uploads, artifacts). */
    HttpServletRequest request();

    /** The servlet response, for routes that write it themselves (then return {@link Reply#WRITTEN}). */
    HttpServletResponse response();
}
