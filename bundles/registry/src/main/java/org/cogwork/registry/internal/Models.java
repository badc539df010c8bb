package org.cogwork.registry.internal;

import org.cogwork.persistence.Database;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.cogwork.api.event.Events;
import org.cogwork.api.event.Topics;
import org.cogwork.api.problem.InvalidFieldException;
import org.cogwork.api.problem.NotFoundException;
import org.cogwork.api.registry.ModelRegistry;
import org.cogwork.api.registry.ModelVersion;
import org.cogwork.api.registry.RegisteredModel;
import org.cogwork.api.tracking.Page;
import org.cogwork.runtime.rest.Json;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.Query;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.event.EventAdmin;

/**
 * The model registry over the metadata store. Every change to a model (its versions, aliases, tags) locks the
 * model's row first ({@code SELECT ... FOR UPDATE}), so changes to one model are serialised: version numbers are
 * allocated without gaps or races, an alias move reads the previous holder and writes the new one atomically, and
 * audit entries get consecutive sequence numbers. The database backs this up: one row per (model, alias), version
 * numbers are a primary key.
 */
@Component(name = "org.cogwork.registry.models", service = ModelRegistry.class)
public class Models implements ModelRegistry {
    private static final Pattern ALIAS = Pattern.compile("[\\w\\-]{1,250}");
    private static final Pattern VERSION_ALIAS = Pattern.compile("(?i)v\\d+");
    private static final Pattern FILTER = Pattern.compile("\\s*(name|run_id)\\s*=\\s*'([^']*)'\\s*", Pattern.CASE_INSENSITIVE);

    private final Database db;
    /** Writes committed through this instance, for {@link #localChanges()}. */
    private final java.util.concurrent.atomic.AtomicLong changes = new java.util.concurrent.atomic.AtomicLong();

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    volatile EventAdmin events;

    @Activate
    public Models(@Reference Database db) {
        this.db = db;
    }

    static String modelName(String name) {
        return RegisteredModel.checkName(name, "name");
    }

    static String aliasName(String alias) {
        Checks.require(alias, "alias");
        if (!ALIAS.matcher(alias).matches() || alias.equalsIgnoreCase("latest") || VERSION_ALIAS.matcher(alias).matches()) {
            throw new InvalidFieldException("alias", "alias '" + alias + "' must be letters, digits, '_' or '-', and neither 'latest' nor v<number>");
        }
        return alias;
    }

    private static String actor(String actor) {
        return actor == null || actor.isBlank() ? "unknown" : Checks.limit(actor, 250, "actor");
    }

    /** The id of the active model, locked for this transaction. */
    private static long lock(Handle h, String name) {
        return h.createQuery("SELECT id FROM registered_models WHERE active_name = ? FOR UPDATE").bind(0, name == null ? "" : name)
                .mapTo(Long.class).findOne().orElseThrow(() -> noModel(name));
    }

    private static Optional<Long> find(Handle h, String name) {
        return h.createQuery("SELECT id FROM registered_models WHERE active_name = ?").bind(0, name == null ? "" : name)
                .mapTo(Long.class).findOne();
    }

    static NotFoundException noModel(String name) {
        return new NotFoundException("no registered model named '" + name + "'");
    }

    static NotFoundException noVersion(String name, int version) {
        return new NotFoundException("model '" + name + "' has no version " + version);
    }

    private static void audit(Handle h, long model, String actor, String op, Integer ver, String alias, Integer previous, String detail) {
        long seq = h.createQuery("SELECT COALESCE(MAX(seq), 0) + 1 FROM model_audit WHERE model_id = ?").bind(0, model).mapTo(Long.class).one();
        h.execute("INSERT INTO model_audit (model_id, seq, at_time, actor, op, ver, alias_name, previous, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                model, seq, System.currentTimeMillis(), actor, op, ver, alias, previous, detail);
    }

    private static long insertModel(Handle h, String name, String description, Map<String, String> tags, String actor) {
        if (find(h, name).isPresent()) {
            throw new InvalidFieldException("name", "a model named '" + name + "' is already registered");
        }
        long id = h.createQuery("SELECT COALESCE(MAX(id), 0) + 1 FROM registered_models").mapTo(Long.class).one();
        long now = System.currentTimeMillis();
        h.execute("INSERT INTO registered_models (id, name, active_name, description, created, updated, deleted_time) VALUES (?, ?, ?, ?, ?, ?, NULL)",
                id, name, name, description, now, now);
        if (tags != null) {
            tags.forEach((k, v) -> h.execute("INSERT INTO model_tags (model_id, tag_key, tag_value) VALUES (?, ?, ?)", id, k, v));
        }
        audit(h, id, actor, "create_model", null, null, null, null);
        return id;
    }

    private static void validateTags(Map<String, String> tags) {
        if (tags != null) {
            tags.forEach((k, v) -> {
                Checks.requireKey(k, "tags.key");
                if (v == null) {
                    throw new InvalidFieldException("tags." + k, "tags." + k + " must not be null");
                }
                Checks.limit(v, 8000, "tags." + k);
            });
        }
    }

    @Override
    public RegisteredModel createModel(String name, String description, Map<String, String> tags, String actor) {
        modelName(name);
        Checks.limit(description, 8000, "description");
        validateTags(tags);
        String who = actor(actor);
        db.tx(h -> insertModel(h, name, description, tags, who));
        changes.incrementAndGet();
        return model(name).orElseThrow();
    }

    @Override
    public long localChanges() {
        return changes.get();
    }

    @Override
    public Optional<RegisteredModel> model(String name) {
        return db.jdbi().withHandle(h -> loadModels(h, "WHERE active_name = :n", Map.of("n", name == null ? "" : name), "").stream().findFirst());
    }

    private List<RegisteredModel> loadModels(Handle h, String where, Map<String, Object> binds, String tail) {
        Query q = h.createQuery("SELECT id, name, description, created, updated FROM registered_models " + where + tail);
        binds.forEach(q::bind);
        List<RegisteredModel> out = new ArrayList<>();
        for (Map<String, Object> r : q.mapToMap().list()) {
            long id = ((Number) r.get("id")).longValue();
            Map<String, String> tags = new TreeMap<>();
            h.createQuery("SELECT tag_key, tag_value FROM model_tags WHERE model_id = ?").bind(0, id)
                    .map((rs, c) -> tags.put(rs.getString(1), rs.getString(2))).list();
            Map<String, Integer> aliases = new TreeMap<>();
            h.createQuery("SELECT alias_name, ver FROM model_aliases WHERE model_id = ?").bind(0, id)
                    .map((rs, c) -> aliases.put(rs.getString(1), rs.getInt(2))).list();
            out.add(new RegisteredModel((String) r.get("name"), (String) r.get("description"),
                    Instant.ofEpochMilli(((Number) r.get("created")).longValue()), Instant.ofEpochMilli(((Number) r.get("updated")).longValue()),
                    tags, aliases));
        }
        return out;
    }

    @Override
    public Page<RegisteredModel> searchModels(String nameLike, int maxResults, String pageToken) {
        int max = PageToken.max(maxResults, 1000);
        int offset = PageToken.offset(pageToken);
        StringBuilder where = new StringBuilder("WHERE active_name IS NOT NULL");
        Map<String, Object> binds = new LinkedHashMap<>();
        NameFilter.apply(nameLike, "name", "filter", where, binds);
        List<RegisteredModel> rows = db.jdbi().withHandle(h -> loadModels(h, where.toString(), binds,
                " ORDER BY name ASC LIMIT " + (max + 1) + " OFFSET " + offset));
        return Tracking.page(rows, max, offset);
    }

    @Override
    public RegisteredModel updateModel(String name, String description, String actor) {
        Checks.limit(description, 8000, "description");
        String who = actor(actor);
        db.txVoid(h -> {
            long id = lock(h, name);
            h.execute("UPDATE registered_models SET description = ?, updated = ? WHERE id = ?", description, System.currentTimeMillis(), id);
            audit(h, id, who, "update_model", null, null, null, null);
        });
        changes.incrementAndGet();
        return model(name).orElseThrow(() -> noModel(name));
    }

    @Override
    public void deleteModel(String name, String actor) {
        String who = actor(actor);
        db.txVoid(h -> {
            long id = lock(h, name);
            long now = System.currentTimeMillis();
            h.execute("DELETE FROM model_aliases WHERE model_id = ?", id);
            h.execute("UPDATE model_versions SET deleted_time = ?, updated = ? WHERE model_id = ? AND deleted_time IS NULL", now, now, id);
            h.execute("UPDATE registered_models SET active_name = NULL, deleted_time = ?, updated = ? WHERE id = ?", now, now, id);
            audit(h, id, who, "delete_model", null, null, null, null);
        });
        changes.incrementAndGet();
        post(Topics.MODEL_DELETED, Map.of(Topics.MODEL_NAME, name, Topics.USER, who));
    }

    @Override
    public void setModelTag(String name, String key, String value) {
        Checks.requireKey(key, "key");
        validateTags(Map.of(key, value == null ? "" : value));
        db.txVoid(h -> {
            long id = lock(h, name);
            if (h.execute("UPDATE model_tags SET tag_value = ? WHERE model_id = ? AND tag_key = ?", value, id, key) == 0) {
                h.execute("INSERT INTO model_tags (model_id, tag_key, tag_value) VALUES (?, ?, ?)", id, key, value);
            }
            h.execute("UPDATE registered_models SET updated = ? WHERE id = ?", System.currentTimeMillis(), id);
        });
        changes.incrementAndGet();
    }

    @Override
    public ModelVersion createVersion(String modelName, String runId, String source, String description,
                                      Map<String, Object> provenance, Map<String, String> tags, String actor) {
        modelName(modelName);
        String who = actor(actor);
        Checks.limit(source, 2000, "source");
        Checks.limit(description, 8000, "description");
        if (runId != null && !runId.matches("[0-9a-f]{32}")) {
            throw new InvalidFieldException("run_id", "run_id must be 32 hex characters, was '" + runId + "'");
        }
        validateTags(tags);
        String prov;
        try {
            prov = provenance == null || provenance.isEmpty() ? null : Json.MAPPER.writeValueAsString(provenance);
        } catch (JsonProcessingException e) {
            throw new InvalidFieldException("provenance", "provenance cannot be written as JSON: " + e.getOriginalMessage());
        }
        int version = db.tx(h -> {
            if (runId != null && h.createQuery("SELECT COUNT(*) FROM runs WHERE id = ?").bind(0, runId).mapTo(Integer.class).one() == 0) {
                throw new InvalidFieldException("run_id", "no run with id '" + runId + "'");
            }
            long id = find(h, modelName).orElseGet(() -> insertModel(h, modelName, null, null, who));
            id = lock(h, modelName);
            int v = h.createQuery("SELECT COALESCE(MAX(ver), 0) + 1 FROM model_versions WHERE model_id = ?").bind(0, id).mapTo(Integer.class).one();
            long now = System.currentTimeMillis();
            h.execute("INSERT INTO model_versions (model_id, ver, run_id, source, status, description, approval, provenance, created, updated, deleted_time) "
                    + "VALUES (?, ?, ?, ?, 'READY', ?, NULL, ?, ?, ?, NULL)", id, v, runId, source, description, prov, now, now);
            if (tags != null) {
                long mid = id;
                tags.forEach((k, val) -> h.execute("INSERT INTO model_version_tags (model_id, ver, tag_key, tag_value) VALUES (?, ?, ?, ?)", mid, v, k, val));
            }
            h.execute("UPDATE registered_models SET updated = ? WHERE id = ?", now, id);
            audit(h, id, who, "create_version", v, null, null, runId == null ? null : "run " + runId);
            return v;
        });
        changes.incrementAndGet();
        Map<String, Object> ev = new LinkedHashMap<>();
        ev.put(Topics.MODEL_NAME, modelName);
        ev.put(Topics.MODEL_VERSION, version);
        if (runId != null) {
            ev.put(Topics.RUN_ID, runId);
        }
        post(Topics.MODEL_VERSION_CREATED, ev);
        return version(modelName, version).orElseThrow();
    }

    @Override
    public Optional<ModelVersion> version(String modelName, int version) {
        return db.jdbi().withHandle(h -> loadVersions(h, "WHERE m.active_name = :n AND v.ver = :v AND v.deleted_time IS NULL",
                Map.of("n", modelName == null ? "" : modelName, "v", version), "").stream().findFirst());
    }

    @Override
    public List<ModelVersion> versions(String modelName) {
        return db.jdbi().withHandle(h -> {
            find(h, modelName).orElseThrow(() -> noModel(modelName));
            return loadVersions(h, "WHERE m.active_name = :n AND v.deleted_time IS NULL", Map.of("n", modelName), " ORDER BY v.ver ASC");
        });
    }

    private List<ModelVersion> loadVersions(Handle h, String where, Map<String, Object> binds, String tail) {
        Query q = h.createQuery("SELECT m.id, m.name, v.ver, v.run_id, v.source, v.status, v.description, v.approval, v.provenance, "
                + "v.created, v.updated FROM model_versions v JOIN registered_models m ON m.id = v.model_id " + where + tail);
        binds.forEach(q::bind);
        List<ModelVersion> out = new ArrayList<>();
        for (Map<String, Object> r : q.mapToMap().list()) {
            long id = ((Number) r.get("id")).longValue();
            int ver = ((Number) r.get("ver")).intValue();
            Map<String, String> tags = new TreeMap<>();
            h.createQuery("SELECT tag_key, tag_value FROM model_version_tags WHERE model_id = ? AND ver = ?").bind(0, id).bind(1, ver)
                    .map((rs, c) -> tags.put(rs.getString(1), rs.getString(2))).list();
            Set<String> aliases = new TreeSet<>(h.createQuery("SELECT alias_name FROM model_aliases WHERE model_id = ? AND ver = ?")
                    .bind(0, id).bind(1, ver).mapTo(String.class).list());
            Map<String, Object> prov = Map.of();
            String p = (String) r.get("provenance");
            if (p != null) {
                try {
                    prov = Json.MAPPER.readValue(p, new TypeReference<Map<String, Object>>() { });
                } catch (JsonProcessingException e) {
                    throw new IllegalStateException("unreadable provenance of " + r.get("name") + " v" + ver, e);
                }
            }
            String run = (String) r.get("run_id");
            out.add(new ModelVersion((String) r.get("name"), ver, run == null ? null : run.trim(), (String) r.get("source"),
                    (String) r.get("status"), (String) r.get("description"), (String) r.get("approval"),
                    Instant.ofEpochMilli(((Number) r.get("created")).longValue()), Instant.ofEpochMilli(((Number) r.get("updated")).longValue()),
                    aliases, tags, prov));
        }
        return out;
    }

    @Override
    public Page<ModelVersion> searchVersions(String filter, int maxResults, String pageToken) {
        int max = PageToken.max(maxResults, 10_000);
        int offset = PageToken.offset(pageToken);
        StringBuilder where = new StringBuilder("WHERE m.active_name IS NOT NULL AND v.deleted_time IS NULL");
        Map<String, Object> binds = new LinkedHashMap<>();
        if (filter != null && !filter.isBlank()) {
            for (String clause : RunSearch.splitAnd(filter)) {
                Matcher m = FILTER.matcher(clause);
                if (!m.matches()) {
                    throw new InvalidFieldException("filter", "filter: expected name='x' and/or run_id='y', was '" + clause.strip() + "'");
                }
                String b = "f" + binds.size();
                binds.put(b, m.group(2));
                where.append(m.group(1).equalsIgnoreCase("name") ? " AND m.name = :" : " AND v.run_id = :").append(b);
            }
        }
        List<ModelVersion> rows = db.jdbi().withHandle(h -> loadVersions(h, where.toString(), binds,
                " ORDER BY m.name ASC, v.ver DESC LIMIT " + (max + 1) + " OFFSET " + offset));
        return Tracking.page(rows, max, offset);
    }

    @Override
    public ModelVersion updateVersion(String modelName, int version, String description, String approval, String actor) {
        Checks.limit(description, 8000, "description");
        Checks.limit(approval, 8000, "approval");
        String who = actor(actor);
        db.txVoid(h -> {
            long id = lock(h, modelName);
            requireVersion(h, id, modelName, version);
            long now = System.currentTimeMillis();
            if (description != null) {
                h.execute("UPDATE model_versions SET description = ?, updated = ? WHERE model_id = ? AND ver = ?", description, now, id, version);
                audit(h, id, who, "update_version", version, null, null, "description");
            }
            if (approval != null) {
                h.execute("UPDATE model_versions SET approval = ?, updated = ? WHERE model_id = ? AND ver = ?", approval, now, id, version);
                audit(h, id, who, "approve_version", version, null, null, approval);
            }
        });
        changes.incrementAndGet();
        return version(modelName, version).orElseThrow(() -> noVersion(modelName, version));
    }

    private static void requireVersion(Handle h, long id, String name, int version) {
        if (h.createQuery("SELECT COUNT(*) FROM model_versions WHERE model_id = ? AND ver = ? AND deleted_time IS NULL")
                .bind(0, id).bind(1, version).mapTo(Integer.class).one() == 0) {
            throw noVersion(name, version);
        }
    }

    @Override
    public void deleteVersion(String modelName, int version, String actor) {
        String who = actor(actor);
        db.txVoid(h -> {
            long id = lock(h, modelName);
            requireVersion(h, id, modelName, version);
            List<String> aliases = h.createQuery("SELECT alias_name FROM model_aliases WHERE model_id = ? AND ver = ? ORDER BY alias_name")
                    .bind(0, id).bind(1, version).mapTo(String.class).list();
            h.execute("DELETE FROM model_aliases WHERE model_id = ? AND ver = ?", id, version);
            long now = System.currentTimeMillis();
            h.execute("UPDATE model_versions SET deleted_time = ?, updated = ? WHERE model_id = ? AND ver = ?", now, now, id, version);
            for (String a : aliases) {
                audit(h, id, who, "delete_alias", null, a, version, "version deleted");
            }
            audit(h, id, who, "delete_version", version, null, null, null);
        });
        changes.incrementAndGet();
        post(Topics.MODEL_DELETED, Map.of(Topics.MODEL_NAME, modelName, Topics.MODEL_VERSION, version, Topics.USER, who));
    }

    @Override
    public void setVersionTag(String modelName, int version, String key, String value) {
        Checks.requireKey(key, "key");
        validateTags(Map.of(key, value == null ? "" : value));
        db.txVoid(h -> {
            long id = lock(h, modelName);
            requireVersion(h, id, modelName, version);
            if (h.execute("UPDATE model_version_tags SET tag_value = ? WHERE model_id = ? AND ver = ? AND tag_key = ?", value, id, version, key) == 0) {
                h.execute("INSERT INTO model_version_tags (model_id, ver, tag_key, tag_value) VALUES (?, ?, ?, ?)", id, version, key, value);
            }
        });
        changes.incrementAndGet();
    }

    @Override
    public void setAlias(String modelName, String alias, int version, String actor) {
        aliasName(alias);
        String who = actor(actor);
        Integer previous = db.tx(h -> {
            long id = lock(h, modelName);
            requireVersion(h, id, modelName, version);
            Optional<Integer> prev = h.createQuery("SELECT ver FROM model_aliases WHERE model_id = ? AND alias_name = ?")
                    .bind(0, id).bind(1, alias).mapTo(Integer.class).findOne();
            long now = System.currentTimeMillis();
            if (prev.isPresent()) {
                h.execute("UPDATE model_aliases SET ver = ?, updated = ? WHERE model_id = ? AND alias_name = ?", version, now, id, alias);
            } else {
                h.execute("INSERT INTO model_aliases (model_id, alias_name, ver, updated) VALUES (?, ?, ?, ?)", id, alias, version, now);
            }
            audit(h, id, who, "set_alias", version, alias, prev.orElse(null), null);
            return prev.orElse(null);
        });
        changes.incrementAndGet();
        Map<String, Object> ev = new LinkedHashMap<>();
        ev.put(Topics.MODEL_NAME, modelName);
        ev.put(Topics.ALIAS, alias);
        ev.put(Topics.MODEL_VERSION, version);
        if (previous != null) {
            ev.put(Topics.PREVIOUS_VERSION, previous);
        }
        post(Topics.MODEL_ALIAS_MOVED, ev);
    }

    @Override
    public void deleteAlias(String modelName, String alias, String actor) {
        String who = actor(actor);
        db.txVoid(h -> {
            long id = lock(h, modelName);
            Integer prev = h.createQuery("SELECT ver FROM model_aliases WHERE model_id = ? AND alias_name = ?")
                    .bind(0, id).bind(1, alias == null ? "" : alias).mapTo(Integer.class).findOne()
                    .orElseThrow(() -> new NotFoundException("model '" + modelName + "' has no alias '" + alias + "'"));
            h.execute("DELETE FROM model_aliases WHERE model_id = ? AND alias_name = ?", id, alias);
            audit(h, id, who, "delete_alias", null, alias, prev, null);
        });
        changes.incrementAndGet();
    }

    @Override
    public Optional<ModelVersion> byAlias(String modelName, String alias) {
        Optional<Integer> v = db.jdbi().withHandle(h -> h.createQuery(
                "SELECT a.ver FROM model_aliases a JOIN registered_models m ON m.id = a.model_id WHERE m.active_name = ? AND a.alias_name = ?")
                .bind(0, modelName == null ? "" : modelName).bind(1, alias == null ? "" : alias).mapTo(Integer.class).findOne());
        return v.flatMap(n -> version(modelName, n));
    }

    @Override
    public List<Map<String, Object>> audit(String modelName, int max) {
        if (max < 1) {
            throw new InvalidFieldException("max", "max must be >= 1, was " + max);
        }
        return db.jdbi().withHandle(h -> {
            // the active model of that name, else the most recently deleted one (its audit outlives it)
            long id = find(h, modelName).orElseGet(() -> h.createQuery("SELECT id FROM registered_models WHERE name = ? ORDER BY id DESC")
                    .bind(0, modelName == null ? "" : modelName).mapTo(Long.class).findFirst().orElseThrow(() -> noModel(modelName)));
            List<Map<String, Object>> out = new ArrayList<>();
            h.createQuery("SELECT seq, at_time, actor, op, ver, alias_name, previous, detail FROM model_audit WHERE model_id = ? ORDER BY seq DESC LIMIT " + max)
                    .bind(0, id).mapToMap().forEach(r -> {
                        Map<String, Object> e = new LinkedHashMap<>();
                        e.put("model", modelName);
                        e.put("seq", ((Number) r.get("seq")).longValue());
                        e.put("time", Instant.ofEpochMilli(((Number) r.get("at_time")).longValue()));
                        e.put("actor", r.get("actor"));
                        e.put("action", r.get("op"));
                        putIf(e, "version", r.get("ver"));
                        putIf(e, "alias", r.get("alias_name"));
                        putIf(e, "previousVersion", r.get("previous"));
                        putIf(e, "detail", r.get("detail"));
                        out.add(e);
                    });
            return out;
        });
    }

    private static void putIf(Map<String, Object> m, String k, Object v) {
        if (v != null) {
            m.put(k, v instanceof Number n && !(v instanceof Long) ? n.intValue() : v);
        }
    }

    private void post(String topic, Map<String, Object> props) {
        Events.post(events, topic, props);
    }
}
