package org.cogwork.registry.internal;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.cogwork.api.registry.ModelRegistry;
import org.cogwork.api.registry.ModelVersion;
import org.cogwork.api.registry.RegisteredModel;
import org.cogwork.runtime.rest.ApiException;
import org.cogwork.runtime.rest.Json;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletPattern;

/**
 * {@code /api/models}: GET lists or searches ({@code ?filter=&max=&pageToken=}), POST {"name", "description", "tags"};
 * {@code /{name}}: GET (with versions and aliases), PATCH {"description"}, DELETE (soft, audited);
 * {@code /{name}/versions}: GET, POST {"runId", "source", "description", "provenance", "tags"};
 * {@code /{name}/versions/{v}}: GET, PATCH {"description", "approval"}, DELETE (soft);
 * {@code /{name}/aliases/{alias}}: PUT {"version": n} (atomic move), GET, DELETE; {@code /{name}/audit?max=}.
 * The actor of a change is the {@code X-Cogwork-Actor} header (else the client address).
 */
@Component(name = "org.cogwork.registry.rest.models", service = Servlet.class)
@HttpWhiteboardServletPattern({"/api/models", "/api/models/*"})
public class ModelsServlet extends RestSupport {
    private static final long serialVersionUID = 1L;

    private final transient ModelRegistry registry;

    record CreateModel(String name, String description, Map<String, String> tags) {
    }

    record UpdateModel(String description) {
    }

    record CreateVersion(String runId, String source, String description, Map<String, Object> provenance, Map<String, String> tags) {
    }

    record UpdateVersion(String description, String approval) {
    }

    record MoveAlias(Integer version) {
    }

    @Activate
    public ModelsServlet(@Reference ModelRegistry registry) {
        this.registry = registry;
    }

    @Override
    protected Reply serve(String method, List<String> seg, HttpServletRequest req) throws IOException {
        String actor = actor(req);
        if (seg.isEmpty()) {
            return switch (method) {
                case "GET" -> {
                    var page = registry.searchModels(req.getParameter("filter"), intParam(req, "max", 100), req.getParameter("pageToken"));
                    Map<String, Object> out = new LinkedHashMap<>();
                    out.put("models", page.items());
                    if (page.nextPageToken() != null) {
                        out.put("nextPageToken", page.nextPageToken());
                    }
                    yield Reply.ok(out);
                }
                case "POST" -> {
                    CreateModel c = Json.readObject(req, CreateModel.class);
                    yield new Reply(201, registry.createModel(c.name(), c.description(), c.tags()));
                }
                default -> throw methodNotAllowed(method, "");
            };
        }
        String name = seg.get(0);
        if (seg.size() == 1) {
            switch (method) {
                case "GET":
                    return Reply.ok(withVersions(find(name)));
                case "PATCH": {
                    UpdateModel u = Json.readObject(req, UpdateModel.class);
                    return Reply.ok(registry.updateModel(name, u.description()));
                }
                case "DELETE":
                    registry.deleteModel(name, actor);
                    return new Reply(200, Map.of("name", name, "deleted", true));
                default:
                    throw methodNotAllowed(method, name);
            }
        }
        String what = seg.get(1);
        if (what.equals("versions") && seg.size() == 2) {
            switch (method) {
                case "GET":
                    return Reply.ok(registry.versions(name));
                case "POST": {
                    CreateVersion c = Json.readObject(req, CreateVersion.class);
                    return new Reply(201, registry.createVersion(name, c.runId(), c.source(), c.description(), c.provenance(), c.tags()));
                }
                default:
                    throw methodNotAllowed(method, name + "/versions");
            }
        }
        if (what.equals("versions") && seg.size() == 3) {
            int v = version(seg.get(2));
            switch (method) {
                case "GET":
                    return Reply.ok(findVersion(name, v));
                case "PATCH": {
                    UpdateVersion u = Json.readObject(req, UpdateVersion.class);
                    return Reply.ok(registry.updateVersion(name, v, u.description(), u.approval(), actor));
                }
                case "DELETE":
                    registry.deleteVersion(name, v, actor);
                    return new Reply(200, Map.of("name", name, "version", v, "deleted", true));
                default:
                    throw methodNotAllowed(method, name + "/versions/" + v);
            }
        }
        if (what.equals("aliases") && seg.size() == 3) {
            String alias = seg.get(2);
            switch (method) {
                case "GET":
                    return Reply.ok(registry.byAlias(name, alias).orElseThrow(() ->
                            ApiException.notFound("model '" + name + "' has no alias '" + alias + "'")));
                case "PUT": {
                    MoveAlias m = Json.readObject(req, MoveAlias.class);
                    if (m.version() == null) {
                        throw ApiException.badRequest("version", "version is required");
                    }
                    registry.setAlias(name, alias, m.version(), actor);
                    return Reply.ok(findVersion(name, m.version()));
                }
                case "DELETE":
                    registry.deleteAlias(name, alias, actor);
                    return new Reply(200, Map.of("name", name, "alias", alias, "deleted", true));
                default:
                    throw methodNotAllowed(method, name + "/aliases/" + alias);
            }
        }
        if (what.equals("audit") && seg.size() == 2 && method.equals("GET")) {
            return Reply.ok(registry.audit(name, intParam(req, "max", 100)));
        }
        throw notFound(method, "/api/models/" + String.join("/", seg));
    }

    private RegisteredModel find(String name) {
        return registry.model(name).orElseThrow(() -> ApiException.notFound("no registered model named '" + name + "'"));
    }

    private ModelVersion findVersion(String name, int v) {
        return registry.version(name, v).orElseThrow(() -> ApiException.notFound("model '" + name + "' has no version " + v));
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
