package org.cogwork.sources.internal;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Dictionary;
import java.util.Enumeration;
import java.util.Iterator;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import org.cogwork.api.connector.DataSource;
import org.cogwork.api.connector.DataSourceException;
import org.cogwork.api.connector.UnknownDatasetException;
import org.cogwork.api.data.Dataset;
import org.cogwork.api.data.Field;
import org.cogwork.api.data.MalformedDataException;
import org.cogwork.api.data.Row;
import org.cogwork.api.data.RowCursor;
import org.cogwork.api.data.Schema;
import org.cogwork.api.query.Query;
import org.cogwork.runtime.rest.ApiException;
import org.cogwork.runtime.rest.Json;
import org.cogwork.runtime.rest.JsonServlet;
import org.cogwork.runtime.rest.Secrets;
import org.cogwork.sources.query.QueryJson;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;
import org.osgi.service.metatype.MetaTypeService;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletPattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /api/sources}: data sources as Config Admin factory configurations of the connector bundles
 * ({@code org.cogwork.connector.<kind>}), and their datasets, schemas, previews and queries.
 *
 * <pre>
 * GET    /api/sources                                   list (secrets masked, see {@link #shown})
 * POST   /api/sources                                   {"id", "kind", "config": {...}} → 201
 * GET    /api/sources/{id}                              one source
 * DELETE /api/sources/{id}                              remove its configuration
 * POST   /api/sources/{id}/test                         connection check with a readable error
 * GET    /api/sources/{id}/datasets                     datasets
 * GET    /api/sources/{id}/datasets/{name}/schema       schema
 * GET    /api/sources/{id}/datasets/{name}/preview      first 20 rows
 * POST   /api/sources/{id}/datasets/{name}/query        the query model as JSON, one page of rows
 * </pre>
 */
@Component(name = "org.cogwork.sources", service = Servlet.class)
@HttpWhiteboardServletPattern({"/api/sources", "/api/sources/*"})
public class SourcesServlet extends JsonServlet {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(SourcesServlet.class);
    static final String FACTORY_PREFIX = "org.cogwork.connector.";
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");
    private static final Pattern KIND = Pattern.compile("[a-z0-9]{1,32}");
    private static final long START_WAIT_MS = 10_000;
    private static final long TEST_TIMEOUT_S = 30;

    private final transient ConfigurationAdmin cm;
    private final transient ServiceComponentRuntime scr;
    private final transient MetaTypeService metaType;
    private final transient BundleContext ctx;
    private final transient Map<String, Registered> sources = new ConcurrentHashMap<>();

    private record Registered(DataSource source, ServiceReference<DataSource> ref) {
    }

    @Activate
    public SourcesServlet(@Reference ConfigurationAdmin cm, @Reference ServiceComponentRuntime scr,
            @Reference MetaTypeService metaType, BundleContext ctx) {
        this.cm = cm;
        this.scr = scr;
        this.metaType = metaType;
        this.ctx = ctx;
    }

    @Reference(service = DataSource.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void addSource(ServiceReference<DataSource> ref, DataSource source) {
        sources.put(source.id(), new Registered(source, ref));
    }

    void removeSource(ServiceReference<DataSource> ref, DataSource source) {
        sources.computeIfPresent(source.id(), (k, v) -> v.ref().equals(ref) ? null : v);
    }

    @Override
    protected Reply handle(String method, String path, HttpServletRequest req) throws IOException {
        String p = path.startsWith("/") ? path.substring(1) : path;
        if (p.isEmpty()) {
            return switch (method) {
                case "GET" -> Reply.ok(list());
                case "POST" -> create(Json.readObject(req));
                default -> throw methodNotAllowed(method, path);
            };
        }
        int slash = p.indexOf('/');
        String id = slash < 0 ? p : p.substring(0, slash);
        String rest = slash < 0 ? "" : p.substring(slash + 1);
        if (rest.isEmpty()) {
            return switch (method) {
                case "GET" -> Reply.ok(describe(id));
                case "DELETE" -> delete(id);
                default -> throw methodNotAllowed(method, path);
            };
        }
        DataSource source = require(id);
        try {
            if (rest.equals("test") && method.equals("POST")) {
                return test(source);
            }
            if (rest.equals("datasets") && method.equals("GET")) {
                return Reply.ok(source.datasets());
            }
            if (rest.startsWith("datasets/")) {
                String tail = rest.substring("datasets/".length());
                if (tail.endsWith("/schema") && method.equals("GET")) {
                    return Reply.ok(schema(source.schema(tail.substring(0, tail.length() - "/schema".length()))));
                }
                if (tail.endsWith("/preview") && method.equals("GET")) {
                    String ds = tail.substring(0, tail.length() - "/preview".length());
                    return Reply.ok(page(source, ds, new Query(List.of(), null, List.of(), 20L, 0)));
                }
                if (tail.endsWith("/query") && method.equals("POST")) {
                    String ds = tail.substring(0, tail.length() - "/query".length());
                    JsonNode body = Json.readOptionalObject(req);
                    return Reply.ok(page(source, ds, QueryJson.parse(body)));
                }
            }
        } catch (DataSourceException | UncheckedIOException e) {
            throw new ApiException(502, "source '" + id + "' could not be read", null, e.getMessage());
        } catch (UnknownDatasetException e) {
            throw new ApiException(404, e.getMessage(), "dataset", null);
        } catch (MalformedDataException e) {
            throw new ApiException(422, "malformed data in source '" + id + "'", e.column(), e.getMessage());
        }
        throw ApiException.notFound("no such resource: " + method + " /api/sources" + path);
    }

    private DataSource require(String id) {
        Registered r = sources.get(id);
        if (r == null) {
            throw ApiException.notFound("no data source '" + id + "'" + (configurationOf(id) != null
                    ? " is running (its configuration exists; is the connector bundle installed and the configuration valid?)" : ""));
        }
        return r.source();
    }

    private List<Map<String, Object>> list() {
        Map<String, Map<String, Object>> out = new TreeMap<>();
        for (Configuration c : configurations("(" + DataSource.SOURCE_ID + "=*)")) {
            String id = String.valueOf(c.getProperties().get(DataSource.SOURCE_ID));
            out.put(id, describe(id));
        }
        for (String id : sources.keySet()) {
            out.computeIfAbsent(id, this::describe);
        }
        return new ArrayList<>(out.values());
    }

    private Map<String, Object> describe(String id) {
        Registered r = sources.get(id);
        Configuration c = configurationOf(id);
        if (r == null && c == null) {
            throw ApiException.notFound("no data source '" + id + "'");
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        m.put("kind", r != null ? r.source().kind() : c.getFactoryPid().substring(FACTORY_PREFIX.length()));
        m.put("status", r != null ? "ACTIVE" : "UNAVAILABLE");
        if (r == null) {
            m.put("problem", problemOf(c));
        }
        if (c != null) {
            m.put("config", shown(c.getProperties(), declared(c.getFactoryPid())));
        }
        if (r != null && r.ref().getBundle() != null) {
            m.put("bundle", r.ref().getBundle().getSymbolicName());
        }
        return m;
    }

    /**
     * A configuration as the API shows it: a value is shown only when the connector declares its key in its
     * MetaType and not as a password (passwords inside JDBC URLs masked too). Undeclared keys (written into a
     * config file by hand, or of a connector without MetaType or not installed) are masked: nobody said they
     * are not secret. Private ({@code .key}) properties are masked as well.
     */
    static Map<String, Object> shown(Dictionary<String, Object> props, Secrets.Declared declared) {
        Map<String, Object> out = new TreeMap<>();
        for (Enumeration<String> keys = props.keys(); keys.hasMoreElements(); ) {
            String k = keys.nextElement();
            if (k.startsWith("service.") || k.startsWith("felix.") || k.equals(DataSource.SOURCE_ID)) {
                continue;
            }
            boolean visible = declared != null && declared.keys().contains(k) && !declared.secrets().contains(k);
            out.put(k.startsWith(".") ? k.substring(1) : k, visible ? Secrets.maskValue(props.get(k)) : Secrets.MASK);
        }
        return out;
    }

    /** The MetaType the installed connector for {@code factoryPid} declares, or {@code null}. */
    private Secrets.Declared declared(String factoryPid) {
        ComponentDescriptionDTO connector = connectorFor(factoryPid);
        Bundle b = connector == null ? null : ctx.getBundle(connector.bundle.id);
        return Secrets.declared(metaType, b, factoryPid);
    }

    private Reply create(JsonNode body) throws IOException {
        if (body == null || !body.isObject()) {
            throw ApiException.badRequest("body", "expected {\"id\": ..., \"kind\": ..., \"config\": {...}}");
        }
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!List.of("id", "kind", "config").contains(f)) {
                throw ApiException.badRequest(f, "unknown field '" + f + "'; use id, kind and config");
            }
        }
        String id = body.path("id").asText("");
        if (!ID.matcher(id).matches()) {
            throw ApiException.badRequest("id", "id must be 1-64 letters, digits, '.', '_' or '-' starting with a letter or digit, was '" + id + "'");
        }
        String kind = body.path("kind").asText("");
        if (!KIND.matcher(kind).matches()) {
            throw ApiException.badRequest("kind", "kind must be a connector kind such as file, jdbc or s3, was '" + kind + "'");
        }
        String factoryPid = FACTORY_PREFIX + kind;
        ComponentDescriptionDTO connector = connectorFor(factoryPid);
        if (connector == null) {
            throw ApiException.badRequest("kind", "no connector for kind '" + kind + "' is installed; installed kinds: " + installedKinds());
        }
        if (sources.containsKey(id) || configurationOf(id) != null) {
            throw new ApiException(409, "a data source '" + id + "' exists already", "id", null);
        }
        JsonNode config = body.path("config");
        if (!config.isMissingNode() && !config.isObject()) {
            throw ApiException.badRequest("config", "config must be a JSON object of connector settings");
        }
        Secrets.Declared declared = declared(factoryPid);
        Hashtable<String, Object> props = new Hashtable<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = config.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            // A typo ("pwd" for "password") would be ignored by the connector and shown back in clear: refuse it.
            if (declared != null && (!declared.keys().contains(e.getKey()) || e.getKey().equals(DataSource.SOURCE_ID))) {
                throw ApiException.badRequest("config." + e.getKey(), "unknown setting '" + e.getKey() + "' for a " + kind
                        + " source; settings: " + declared.keys().stream().filter(k -> !k.equals(DataSource.SOURCE_ID)).sorted().toList());
            }
            JsonNode v = e.getValue();
            Object value;
            if (v.isTextual()) {
                value = v.asText();
            } else if (v.isBoolean()) {
                value = v.asBoolean();
            } else if (v.isIntegralNumber()) {
                value = v.longValue();
            } else if (v.isNumber()) {
                value = v.doubleValue();
            } else {
                throw ApiException.badRequest("config." + e.getKey(), "config values must be strings, numbers or booleans");
            }
            props.put(e.getKey(), value); // the keys of config files: secrets are masked by declaration, not renamed
        }
        props.put(DataSource.SOURCE_ID, id);
        Configuration c = cm.getFactoryConfiguration(factoryPid, id, "?");
        c.update(props);
        LOG.info("Created data source {} ({})", id, kind);
        long deadline = System.currentTimeMillis() + START_WAIT_MS;
        while (System.currentTimeMillis() < deadline) {
            if (sources.containsKey(id)) {
                return new Reply(201, describe(id));
            }
            String failure = failureOf(c.getPid());
            if (failure != null) {
                deleteAndWait(c, id);
                throw new ApiException(400, "invalid configuration for a " + kind + " source", fieldOf(failure, props), failure);
            }
            sleep(25);
        }
        return new Reply(202, describe(id));
    }

    /** Deletes a configuration and waits (briefly) until neither it nor its service is visible any more. */
    private void deleteAndWait(Configuration c, String id) throws IOException {
        c.delete();
        long deadline = System.currentTimeMillis() + 5000;
        while (System.currentTimeMillis() < deadline && (configurationOf(id) != null || sources.containsKey(id))) {
            sleep(20);
        }
    }

    private Reply delete(String id) throws IOException {
        Configuration c = configurationOf(id);
        if (c == null) {
            throw ApiException.notFound(sources.containsKey(id)
                    ? "source '" + id + "' is not configured through Config Admin and cannot be deleted here"
                    : "no data source '" + id + "'");
        }
        deleteAndWait(c, id);
        LOG.info("Deleted data source {}", id);
        return Reply.ok(Map.of("id", id, "deleted", true));
    }

    private Reply test(DataSource source) {
        long t0 = System.nanoTime();
        CompletableFuture<Void> f = CompletableFuture.runAsync(() -> {
            try {
                source.test();
            } catch (DataSourceException e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        });
        try {
            f.get(TEST_TIMEOUT_S, TimeUnit.SECONDS);
            return Reply.ok(Map.of("ok", true, "millis", (System.nanoTime() - t0) / 1_000_000));
        } catch (TimeoutException e) {
            f.cancel(true);
            throw new ApiException(504, "connection check timed out after " + TEST_TIMEOUT_S + " s", null, null);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() instanceof java.util.concurrent.CompletionException ce ? ce.getCause() : e.getCause();
            throw new ApiException(502, "connection check failed", null, cause == null ? null : cause.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(503, "interrupted", null, null);
        }
    }

    private static Map<String, Object> schema(Schema s) {
        List<Map<String, Object>> fields = new ArrayList<>();
        for (Field f : s.fields()) {
            fields.add(Map.of("name", f.name(), "type", f.type().name(), "nullable", f.nullable()));
        }
        return Map.of("fields", fields);
    }

    private static Map<String, Object> page(DataSource source, String dataset, Query q) throws DataSourceException {
        long limit = q.limit();
        Query fetch = new Query(q.select(), q.where(), q.orderBy(), limit + 1, q.offset());
        Dataset d = source.read(dataset, fetch);
        List<Object[]> rows = new ArrayList<>();
        boolean more = false;
        Map<String, Object> out = new LinkedHashMap<>();
        try (RowCursor c = d.open()) {
            while (c.hasNext()) {
                Row r = c.next();
                if (rows.size() == limit) {
                    more = true;
                    break;
                }
                rows.add(r.values());
            }
            out.put("source", source.id());
            out.put("dataset", dataset);
            out.put("columns", schema(d.schema()).get("fields"));
            out.put("rows", rows);
            out.put("offset", q.offset());
            out.put("limit", limit);
            out.put("nextOffset", more ? q.offset() + limit : null);
            out.put("report", c.report());
        }
        return out;
    }

    private Configuration configurationOf(String id) {
        if (!ID.matcher(id).matches()) {
            return null;
        }
        List<Configuration> found = configurations("(" + DataSource.SOURCE_ID + "=" + id + ")");
        return found.isEmpty() ? null : found.get(0);
    }

    private List<Configuration> configurations(String filter) {
        try {
            Configuration[] cs = cm.listConfigurations(filter);
            if (cs == null) {
                return List.of();
            }
            List<Configuration> out = new ArrayList<>();
            for (Configuration c : cs) {
                if (c.getFactoryPid() != null && c.getFactoryPid().startsWith(FACTORY_PREFIX)) {
                    out.add(c);
                }
            }
            return out;
        } catch (IOException | InvalidSyntaxException e) {
            throw new ApiException(500, "cannot list configurations", null, e.getMessage());
        }
    }

    private ComponentDescriptionDTO connectorFor(String factoryPid) {
        for (ComponentDescriptionDTO d : scr.getComponentDescriptionDTOs()) {
            for (String pid : d.configurationPid) {
                if (pid.equals(factoryPid)) {
                    return d;
                }
            }
        }
        return null;
    }

    private List<String> installedKinds() {
        List<String> kinds = new ArrayList<>();
        for (ComponentDescriptionDTO d : scr.getComponentDescriptionDTOs()) {
            for (String pid : d.configurationPid) {
                if (pid.startsWith(FACTORY_PREFIX)) {
                    kinds.add(pid.substring(FACTORY_PREFIX.length()));
                }
            }
        }
        Collections.sort(kinds);
        return kinds;
    }

    /** The activation failure SCR recorded for the component configured by {@code pid}, in one line. */
    private String failureOf(String pid) {
        for (ComponentDescriptionDTO d : scr.getComponentDescriptionDTOs()) {
            for (ComponentConfigurationDTO c : scr.getComponentConfigurationDTOs(d)) {
                if (pid.equals(c.properties.get("service.pid")) && c.state == ComponentConfigurationDTO.FAILED_ACTIVATION) {
                    return firstCause(c.failure);
                }
            }
        }
        return null;
    }

    private String problemOf(Configuration c) {
        if (c == null) {
            return null;
        }
        String failure = failureOf(c.getPid());
        return failure != null ? failure : "no running connector for " + c.getFactoryPid() + " (is its bundle installed?)";
    }

    /** Connectors start their messages with the setting at fault ("url: ...", "fetch.size must be ..."). */
    static String fieldOf(String failure, Map<String, Object> props) {
        String best = null;
        for (String k : props.keySet()) {
            if (failure.startsWith(k) && failure.length() > k.length() && " :".indexOf(failure.charAt(k.length())) >= 0
                    && (best == null || k.length() > best.length())) {
                best = k;
            }
        }
        return best == null ? "config" : "config." + best;
    }

    /** SCR records a stack trace; people need the message of the root cause. */
    static String firstCause(String failure) {
        if (failure == null) {
            return null;
        }
        String best = failure.lines().findFirst().orElse(failure);
        for (String line : failure.lines().toList()) {
            if (line.startsWith("Caused by: ")) {
                best = line.substring("Caused by: ".length());
            }
        }
        int colon = best.indexOf(": ");
        return Secrets.maskUrl(colon > 0 && best.substring(0, colon).contains("Exception") ? best.substring(colon + 2) : best);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(503, "interrupted", null, null);
        }
    }
}
