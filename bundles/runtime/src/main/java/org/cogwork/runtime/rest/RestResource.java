package org.cogwork.runtime.rest;

/**
 * A bundle's REST area: registered as an OSGi service, it declares its routes and the runtime serves them (one
 * dispatcher for every area: authentication, role checks, strict JSON binding, error mapping, audit and the
 * OpenAPI document are done there, never in the bundle). Routes come and go with the service.
 *
 * <pre>
 * &#64;Component(service = RestResource.class)
 * public class ModelsResource implements RestResource {
 *     public void routes(Routes r) {
 *         r.get("/api/models/{name}").roles(Role.DATA_SCIENTIST).returns(Model.class)
 *                 .handle(call -&gt; registry.model(call.path("name")));
 *     }
 * }
 * </pre>
 */
public interface RestResource {
    void routes(Routes routes);
}
