package org.cogwork.runtime.rest;

/**
 * Where a {@link RestResource} declares its routes. Paths are templates below the server root:
 * {@code /api/models/{name}/versions/{version}}; a last segment {@code {path+}} takes the rest of the path (one or
 * more segments). Every route must name its roles (or be {@link Route.Builder#anonymous() anonymous}) and its
 * handler, or the resource is refused.
 */
public interface Routes {
    /** Starts the declaration of a route; the methods below name the method for you. */
    Route.Builder route(String method, String path);

    default Route.Builder get(String path) {
        return route("GET", path);
    }

    default Route.Builder post(String path) {
        return route("POST", path);
    }

    default Route.Builder put(String path) {
        return route("PUT", path);
    }

    default Route.Builder patch(String path) {
        return route("PATCH", path);
    }

    default Route.Builder delete(String path) {
        return route("DELETE", path);
    }

    /** The error shape of every route of this resource (default: {@link ErrorBody}). MLflow keeps its own. */
    Routes errors(ErrorShape shape);

    /** The tag grouping this resource's routes in the OpenAPI document. */
    Routes tag(String tag);
}
