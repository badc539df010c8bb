package org.cogwork.sources.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Dictionary;
import java.util.Enumeration;
import java.util.Hashtable;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
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
import org.cogwork.api.problem.ApiException;
import org.cogwork.api.problem.ConflictException;
import org.cogwork.api.problem.InvalidFieldException;
import org.cogwork.api.problem.NotFoundException;
import org.cogwork.api.query.Query;
import org.cogwork.api.security.Role;
import org.cogwork.runtime.rest.Json;
import org.cogwork.runtime.rest.Reply;
import org.cogwork.runtime.rest.RestResource;
import org.cogwork.runtime.rest.Routes;
import org.cogwork.runtime.rest.Secrets;
import org.cogwork.sources.query.QueryJson;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.Configuration;
import org.cogwork.api.security.SecretBox;
import org.cogwork.api.service.NamedServices;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /api/sources}: data sources as Config Admin factory configurations of the connector bundles
 * ({@code org.cogwork.connector.<kind>}), and their datasets, schemas, previews and queries. Data scientists'
 * routes (admins may too).
 *
 * <p>Dataset names may contain {@code /} (files in sub-folders, S3 keys below the prefix), so the dataset routes
 * take as many segments as the name has: {@code .../datasets/a/b.csv/schema}.
 */
@Component(name = "org.cogwork.sources", service = RestResource.class)
public class SourcesResource implements RestResource {
    private static final Logger LOG = LoggerFactory.getLogger(SourcesResource.class);
    static final String FACTORY_PREFIX = "org.cogwork.connector.";
    static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");
    static final Pattern KIND = Pattern.compile("[a-z0-9]{1,32}");
    private static final long START_WAIT_MS = 10_000;
    private static final long TEST_TIMEOUT_S = 30;
    private static final int PREVIEW_ROWS = 20;

    private final ConfigurationAdmin cm;
    /** Seals declared secrets before they are stored: the runtime's sealer would otherwise store the configuration a
     * second time, restarting the new source's connector just after it started (a request could meet neither). */
    private final SecretBox box;
    private final ServiceComponentRuntime scr;
    private final MetaTypeService metaType;
    private final BundleContext ctx;
    /** By source id, one provider per id (see {@link NamedServices}), as training and evaluation decide it. */
    private final NamedServices<Registered> sources = new NamedServices<>(DataSource.SOURCE_ID);

    private record Registered(DataSource source, ServiceReference<DataSource> ref) {
    }

    /**
     * The body of {@code POST /api/sources}: {@code {"id", "kind", "config": {...}}}; the connector's settings are
     * checked against its MetaType when the source is created.
     */
    public record NewSource(String id, String kind, ObjectNode config) {
        public NewSource {
            id = id == null ? "" : id;
            kind = kind == null ? "" : kind;
            if (!ID.matcher(id).matches()) {
                throw new InvalidFieldException("id", "id must be 1-64 letters, digits, '.', '_' or '-' starting with a letter or digit, was "
                        + Json.quote(id));
            }
            if (!KIND.matcher(kind).matches()) {
                throw new InvalidFieldException("kind", "kind must be a connector kind such as file, jdbc or s3, was " + Json.quote(kind));
            }
        }
    }

    @Activate
    public SourcesResource(@Reference ConfigurationAdmin cm, @Reference ServiceComponentRuntime scr,
            @Reference MetaTypeService metaType, @Reference SecretBox box, BundleContext ctx) {
        this.box = box;
        this.cm = cm;
        this.scr = scr;
        this.metaType = metaType;
        this.ctx = ctx;
    }

    @Reference(service = DataSource.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY, updated = "updatedSource")
    void addSource(ServiceReference<DataSource> ref, DataSource source) {
        sources.add(ref, new Registered(source, ref));
    }

    void updatedSource(ServiceReference<DataSource> ref) {
        sources.modified(ref);
    }

    void removeSource(ServiceReference<DataSource> ref) {
        sources.remove(ref);
    }

    @Override
    public void routes(Routes r) {
        r.tag("sources");
        r.get("/api/sources").roles(Role.DATA_SCIENTIST).returns(List.class)
                .summary("every data source, configured or running, secrets masked")
                .handle(call -> list());
        r.post("/api/sources").roles(Role.DATA_SCIENTIST).body(NewSource.class).returns(Map.class).status(201)
                .summary("creates a source (201 once its connector runs, 202 while it is still starting)")
                .handle(call -> create((NewSource) call.body()));
        r.get("/api/sources/{id}").roles(Role.DATA_SCIENTIST).returns(Map.class).summary("one source, secrets masked")
                .handle(call -> describe(call.path("id")));
        r.delete("/api/sources/{id}").roles(Role.DATA_SCIENTIST).returns(Map.class).summary("removes a source's configuration")
                .handle(call -> delete(call.path("id")));
        r.post("/api/sources/{id}/test").roles(Role.DATA_SCIENTIST).returns(Map.class)
                .summary("checks the connection (502 with the source's message when it fails)")
                .handle(call -> test(call.path("id")));
        r.get("/api/sources/{id}/datasets").roles(Role.DATA_SCIENTIST).returns(List.class).summary("the source's datasets")
                .handle(call -> reading(call.path("id"), DataSource::datasets));
        r.get("/api/sources/{id}/datasets/{dataset+}/schema").roles(Role.DATA_SCIENTIST).returns(Map.class)
                .summary("the dataset's columns (a dataset name may contain /)")
                .handle(call -> reading(call.path("id"), s -> schema(s.schema(call.path("dataset")))));
        r.get("/api/sources/{id}/datasets/{dataset+}/preview").roles(Role.DATA_SCIENTIST).returns(Map.class)
                .summary("the dataset's first " + PREVIEW_ROWS + " rows")
                .handle(call -> reading(call.path("id"),
                        s -> page(s, call.path("dataset"), new Query(List.of(), null, List.of(), (long) PREVIEW_ROWS, 0))));
        r.post("/api/sources/{id}/datasets/{dataset+}/query").roles(Role.DATA_SCIENTIST).body(ObjectNode.class).returns(Map.class)
                .audited(false)
                .summary("one page of rows for the query model as JSON (select, where, orderBy, limit, offset)")
                .handle(call -> {
                    Query q = QueryJson.parse((ObjectNode) call.body());
                    return reading(call.path("id"), s -> page(s, call.path("dataset"), q));
                });
    }

    /** What a connector call may throw besides the problem types. */
    @FunctionalInterface
    private interface Read<T> {
        T from(DataSource source) throws DataSourceException;
    }

    /** Runs {@code read} on the running source {@code id}; the connector's failures as the client's or the source's. */
    private <T> T reading(String id, Read<T> read) {
        DataSource source = require(id);
        try {
            return read.from(source);
        } catch (DataSourceException | UncheckedIOException e) {
            throw new ApiException(502, "source '" + id + "' could not be read", null, e.getMessage());
        } catch (UnknownDatasetException e) {
            throw new ApiException(404, e.getMessage(), "dataset", null);
        } catch (MalformedDataException e) {
            throw new ApiException(422, "malformed data in source '" + id + "'", e.column(), e.getMessage());
        }
    }

    private DataSource require(String id) {
        Registered r = sources.get(id);
        if (r == null) {
            throw new NotFoundException("no data source '" + id + "'" + (configurationOf(id) != null
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
        for (String id : sources.names()) {
            out.computeIfAbsent(id, this::describe);
        }
        return new ArrayList<>(out.values());
    }

    private Map<String, Object> describe(String id) {
        Registered r = sources.get(id);
        Configuration c = configurationOf(id);
        if (r == null && c == null) {
            throw new NotFoundException("no data source '" + id + "'");
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

    private Object create(NewSource body) throws IOException {
        String id = body.id();
        String kind = body.kind();
        String factoryPid = FACTORY_PREFIX + kind;
        ComponentDescriptionDTO connector = connectorFor(factoryPid);
        if (connector == null) {
            throw new InvalidFieldException("kind", "no connector for kind '" + kind + "' is installed; installed kinds: " + installedKinds());
        }
        if (sources.get(id) != null || configurationOf(id) != null) {
            throw new ConflictException("id", "a data source '" + id + "' exists already");
        }
        Secrets.Declared declared = declared(factoryPid);
        Hashtable<String, Object> props = new Hashtable<>();
        if (body.config() != null) {
            for (Iterator<Map.Entry<String, JsonNode>> it = body.config().fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                // A typo ("pwd" for "password") would be ignored by the connector and shown back in clear: refuse it.
                if (declared != null && (!declared.keys().contains(e.getKey()) || e.getKey().equals(DataSource.SOURCE_ID))) {
                    throw new InvalidFieldException("config." + e.getKey(), "unknown setting '" + e.getKey() + "' for a " + kind
                            + " source; settings: " + declared.keys().stream().filter(k -> !k.equals(DataSource.SOURCE_ID)).sorted().toList());
                }
                Object v = value("config." + e.getKey(), e.getValue()); // secrets are masked by declaration, not renamed
                if (declared != null && declared.secrets().contains(e.getKey()) && v instanceof String clear && !clear.isEmpty()
                        && !SecretBox.isSealed(clear)) {
                    v = box.seal(clear);
                }
                props.put(e.getKey(), v);
            }
        }
        props.put(DataSource.SOURCE_ID, id);
        Configuration c = cm.getFactoryConfiguration(factoryPid, id, "?");
        c.update(props);
        LOG.info("Created data source {} ({})", id, kind);
        long deadline = System.currentTimeMillis() + START_WAIT_MS;
        while (System.currentTimeMillis() < deadline) {
            if (sources.get(id) != null) {
                return describe(id);
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

    /** A setting's value as Config Admin stores it: a string, a boolean, a long or a double. */
    private static Object value(String field, JsonNode v) {
        if (v.isTextual()) {
            return v.asText();
        }
        if (v.isBoolean()) {
            return v.asBoolean();
        }
        if (v.isIntegralNumber()) {
            return v.longValue();
        }
        if (v.isNumber()) {
            return v.doubleValue();
        }
        throw new InvalidFieldException(field, "config values must be strings, numbers or booleans");
    }

    /** Deletes a configuration and waits (briefly) until neither it nor its service is visible any more. */
    private void deleteAndWait(Configuration c, String id) throws IOException {
        c.delete();
        long deadline = System.currentTimeMillis() + 5000;
        while (System.currentTimeMillis() < deadline && (configurationOf(id) != null || sources.get(id) != null)) {
            sleep(20);
        }
    }

    private Map<String, Object> delete(String id) throws IOException {
        Configuration c = configurationOf(id);
        if (c == null) {
            throw new NotFoundException(sources.get(id) != null
                    ? "source '" + id + "' is not configured through Config Admin and cannot be deleted here"
                    : "no data source '" + id + "'");
        }
        deleteAndWait(c, id);
        LOG.info("Deleted data source {}", id);
        return Map.of("id", id, "deleted", true);
    }

    private Map<String, Object> test(String id) {
        DataSource source = require(id);
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
            return Map.of("ok", true, "millis", (System.nanoTime() - t0) / 1_000_000);
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

    /**
     * The connector component for a kind. Two bundles declaring one kind each publish a source for every
     * configuration of it, and {@link NamedServices} picks one per id; this picks the bundle whose sources of that
     * kind are in use, else the bundle installed first, so the settings it declares are those of the one used.
     */
    private ComponentDescriptionDTO connectorFor(String factoryPid) {
        String kind = factoryPid.substring(FACTORY_PREFIX.length());
        java.util.Set<Long> inUse = new java.util.HashSet<>();
        for (Registered r : sources.inUse().values()) {
            if (kind.equals(r.ref().getProperty(DataSource.SOURCE_KIND)) && r.ref().getBundle() != null) {
                inUse.add(r.ref().getBundle().getBundleId());
            }
        }
        ComponentDescriptionDTO found = null;
        for (ComponentDescriptionDTO d : scr.getComponentDescriptionDTOs()) {
            if (Arrays.asList(d.configurationPid).contains(factoryPid)
                    && (found == null || inUse.contains(d.bundle.id) && !inUse.contains(found.bundle.id)
                        || inUse.contains(d.bundle.id) == inUse.contains(found.bundle.id) && d.bundle.id < found.bundle.id)) {
                found = d;
            }
        }
        return found;
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
        return kinds.stream().distinct().sorted().toList(); // a kind two bundles declare is one kind
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
