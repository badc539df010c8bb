package org.cogwork.registry.internal;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.cogwork.api.problem.InvalidFieldException;
import org.cogwork.api.problem.NotFoundException;
import org.cogwork.api.registry.ModelRegistry;
import org.cogwork.api.registry.ModelVersion;
import org.cogwork.api.registry.RegisteredModel;
import org.cogwork.api.security.Role;
import org.cogwork.runtime.rest.Call;
import org.cogwork.runtime.rest.Json;
import org.cogwork.runtime.rest.RestResource;
import org.cogwork.runtime.rest.Routes;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * {@code /api/models}: registered models, their versions and aliases, and each model's audit trail. The actor
 * recorded for deletes, approvals and alias moves is the signed-in caller.
 */
@Component(service = RestResource.class)
public class ModelsResource implements RestResource {
    private final ModelRegistry registry;

    /** POST /api/models. */
    record CreateModel(String name, String description, Map<String, String> tags) {
    }

    /** PATCH /api/models/{name}. */
    record UpdateModel(String description) {
    }

    /** POST /api/models/{name}/versions: a new version, usually of a run's artifact. */
    record CreateVersion(String runId, String source, String description, Map<String, Object> provenance, Map<String, String> tags) {
    }

    /** PATCH /api/models/{name}/versions/{version}. */
    record UpdateVersion(String description, String approval) {
    }

    /** PUT /api/models/{name}/aliases/{alias}: the version the alias moves to. */
    record MoveAlias(Integer version) {
        MoveAlias {
            if (version == null) {
                throw new InvalidFieldException("version", "version is required");
            }
        }
    }

    @Activate
    public ModelsResource(@Reference ModelRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void routes(Routes r) {
        r.get("/api/models").roles(Role.DATA_SCIENTIST).returns(Map.class)
                .query("filter", "name = 'x', name LIKE 'x%', name ILIKE '%x%' or a plain text")
                .query("max", "page size, 1..1000 (default 100)")
                .query("pageToken", "the nextPageToken of the previous page")
                .summary("lists or searches registered models")
                .handle(call -> {
                    var page = registry.searchModels(call.query("filter"), call.queryInt("max", 100, 1, 1000), call.query("pageToken"));
                    Map<String, Object> out = new LinkedHashMap<>();
                    out.put("models", page.items());
                    if (page.nextPageToken() != null) {
                        out.put("nextPageToken", page.nextPageToken());
                    }
                    return out;
                });
        r.post("/api/models").roles(Role.DATA_SCIENTIST).body(CreateModel.class).returns(RegisteredModel.class).status(201)
                .summary("registers a model")
                .<CreateModel>handle(call -> {
                    CreateModel c = call.body();
                    if (c.tags() != null) {
                        c.tags().keySet().forEach(k -> RegisteredModel.checkCallerTagKey(k, "tags." + k));
                    }
                    return registry.createModel(c.name(), c.description(), c.tags(), actor(call));
                });
        r.get("/api/models/{name}").roles(Role.DATA_SCIENTIST).returns(Map.class)
                .summary("a model with its versions and aliases")
                .handle(call -> withVersions(find(call.path("name"))));
        r.patch("/api/models/{name}").roles(Role.DATA_SCIENTIST).body(UpdateModel.class).returns(RegisteredModel.class)
                .summary("changes a model's description")
                .<UpdateModel>handle(call -> registry.updateModel(call.path("name"), call.body().description(), actor(call)));
        r.delete("/api/models/{name}").roles(Role.DATA_SCIENTIST).returns(Map.class)
                .summary("deletes a model (soft, audited)")
                .handle(call -> {
                    String name = call.path("name");
                    registry.deleteModel(name, actor(call));
                    return Map.of("name", name, "deleted", true);
                });
        r.get("/api/models/{name}/versions").roles(Role.DATA_SCIENTIST).returns(List.class)
                .summary("a model's versions")
                .handle(call -> registry.versions(call.path("name")));
        r.post("/api/models/{name}/versions").roles(Role.DATA_SCIENTIST).body(CreateVersion.class).returns(ModelVersion.class).status(201)
                .summary("registers a new version (and the model, when new)")
                .<CreateVersion>handle(call -> {
                    CreateVersion c = call.body();
                    return registry.createVersion(call.path("name"), c.runId(), c.source(), c.description(), c.provenance(), c.tags(), actor(call));
                });
        r.get("/api/models/{name}/versions/{version}").roles(Role.DATA_SCIENTIST).returns(ModelVersion.class)
                .summary("one version")
                .handle(call -> findVersion(call.path("name"), version(call)));
        r.patch("/api/models/{name}/versions/{version}").roles(Role.DATA_SCIENTIST).body(UpdateVersion.class).returns(ModelVersion.class)
                .summary("changes a version's description or approval (audited)")
                .<UpdateVersion>handle(call -> registry.updateVersion(call.path("name"), version(call), call.body().description(),
                        call.body().approval(), actor(call)));
        r.delete("/api/models/{name}/versions/{version}").roles(Role.DATA_SCIENTIST).returns(Map.class)
                .summary("deletes a version (soft, audited); aliases on it go with it")
                .handle(call -> {
                    String name = call.path("name");
                    int v = version(call);
                    registry.deleteVersion(name, v, actor(call));
                    return Map.of("name", name, "version", v, "deleted", true);
                });
        r.get("/api/models/{name}/aliases/{alias}").roles(Role.DATA_SCIENTIST).returns(ModelVersion.class)
                .summary("the version an alias names")
                .handle(call -> {
                    String name = call.path("name");
                    String alias = call.path("alias");
                    return registry.byAlias(name, alias)
                            .orElseThrow(() -> new NotFoundException("model '" + name + "' has no alias '" + alias + "'"));
                });
        r.put("/api/models/{name}/aliases/{alias}").roles(Role.DATA_SCIENTIST).body(MoveAlias.class).returns(ModelVersion.class)
                .summary("points an alias at a version, atomically (audited)")
                .<MoveAlias>handle(call -> {
                    String name = call.path("name");
                    int v = call.body().version();
                    registry.setAlias(name, call.path("alias"), v, actor(call));
                    return findVersion(name, v);
                });
        r.delete("/api/models/{name}/aliases/{alias}").roles(Role.DATA_SCIENTIST).returns(Map.class)
                .summary("removes an alias (audited)")
                .handle(call -> {
                    String name = call.path("name");
                    String alias = call.path("alias");
                    registry.deleteAlias(name, alias, actor(call));
                    return Map.of("name", name, "alias", alias, "deleted", true);
                });
        r.get("/api/models/{name}/audit").roles(Role.DATA_SCIENTIST).returns(List.class)
                .query("max", "how many entries, newest first (default 100)")
                .summary("who changed the model, and how")
                .handle(call -> registry.audit(call.path("name"), call.queryInt("max", 100, 1, Integer.MAX_VALUE)));
    }

    /** The only identity a registry write records. */
    private static String actor(Call<?> call) {
        return call.principal().name();
    }

    private static int version(Call<?> call) {
        String v = call.path("version");
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new InvalidFieldException("version", "version must be an integer, was " + Json.quote(v));
        }
    }

    private RegisteredModel find(String name) {
        return registry.model(name).orElseThrow(() -> new NotFoundException("no registered model named '" + name + "'"));
    }

    private ModelVersion findVersion(String name, int v) {
        return registry.version(name, v).orElseThrow(() -> new NotFoundException("model '" + name + "' has no version " + v));
    }

    private Map<String, Object> withVersions(RegisteredModel m) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", m.name());
        out.put("description", m.description());
        out.put("created", m.created());
        out.put("updated", m.updated());
        out.put("tags", m.tags());
        out.put("aliases", m.aliases());
        out.put("versions", registry.versions(m.name()));
        return out;
    }
}
