package org.cogwork.registry.internal;

import org.cogwork.persistence.internal.MetadataStore;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.cogwork.api.problem.ApiException;
import org.cogwork.api.problem.NotFoundException;
import org.cogwork.api.registry.ModelVersion;
import org.cogwork.api.security.Principal;
import org.cogwork.api.security.Role;
import org.cogwork.api.tracking.Run;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The registry's REST routes: who may call them, and that the signed-in caller is the only actor recorded. */
class ResourcesTest {
    static final Principal ALICE = new Principal("alice", Role.DATA_SCIENTIST, "password");

    @TempDir
    Path data;
    MetadataStore store;
    Tracking tracker;
    Models registry;
    Routed models;
    Routed runs;
    Routed experiments;

    @BeforeEach
    void open() {
        store = new MetadataStore(RegistryContractTest.config(Map.of()), data);
        tracker = new Tracking(RegistryContractTest.registryDb(store), data, "local");
        registry = new Models(RegistryContractTest.registryDb(store));
        models = new Routed(new ModelsResource(registry));
        runs = new Routed(new RunsResource(tracker));
        experiments = new Routed(new ExperimentsResource(tracker));
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void everyRouteIsForDataScientists() {
        for (Routed area : List.of(models, runs, experiments)) {
            assertFalse(area.routes.isEmpty());
            area.routes.forEach(r -> {
                assertEquals(Set.of(Role.DATA_SCIENTIST), r.roles(), r.method() + " " + r.path());
                assertFalse(r.anonymous(), r.method() + " " + r.path());
            });
        }
        assertTrue(runs.route("PUT", "/api/runs/{id}/artifacts/{path+}").streamed());
    }

    @Test
    void registryChangesAreRecordedAsTheCaller() throws Exception {
        Run run = tracker.createRun(null, null, null, null);
        models.call(ALICE, "POST", "/api/models", Map.of(), Map.of(), "{\"name\": \"m\"}");
        models.call(ALICE, "POST", "/api/models/{name}/versions", Map.of("name", "m"), Map.of(),
                "{\"runId\": \"" + run.id() + "\", \"source\": \"cogwork-artifacts:/0/" + run.id() + "/artifacts/model.zip\"}");
        Map<String, String> alias = Map.of("name", "m", "alias", "production");
        ModelVersion v = (ModelVersion) models.call(ALICE, "PUT", "/api/models/{name}/aliases/{alias}", alias, Map.of(), "{\"version\": 1}");
        assertEquals(Set.of("production"), v.aliases());
        models.call(ALICE, "DELETE", "/api/models/{name}/aliases/{alias}", alias, Map.of(), null);
        List<Map<String, Object>> audit = registry.audit("m", 10);
        assertEquals(List.of("delete_alias", "set_alias", "create_version", "create_model"), audit.stream().map(e -> e.get("action")).toList());
        assertTrue(audit.stream().allMatch(e -> "alice".equals(e.get("actor"))), audit.toString());
    }

    @Test
    void aClientCannotNameTheActor() {
        Map<String, String> alias = Map.of("name", "m", "alias", "production");
        ApiException e = assertThrows(ApiException.class, () -> models.call(ALICE, "PUT", "/api/models/{name}/aliases/{alias}", alias,
                Map.of(), "{\"version\": 1, \"actor\": \"mallory\"}"));
        assertEquals(400, e.status());
        assertEquals("actor", e.field());
        assertEquals("version", assertThrows(ApiException.class, () -> models.call(ALICE, "PUT", "/api/models/{name}/aliases/{alias}",
                alias, Map.of(), "{}")).field());
        assertEquals("version", assertThrows(ApiException.class, () -> models.call(ALICE, "GET", "/api/models/{name}/versions/{version}",
                Map.of("name", "m", "version", "one"), Map.of(), null)).field());
    }

    @Test
    void aRunIsCreatedByTheCaller() throws Exception {
        Run r = (Run) runs.call(ALICE, "POST", "/api/runs", Map.of(), Map.of(),
                "{\"name\": \"mine\", \"tags\": {\"mlflow.user\": \"mallory\", \"team\": \"risk\"}}");
        assertEquals("alice", r.tags().get("mlflow.user"));
        assertEquals("risk", r.tags().get("team"));
        Map<String, String> id = Map.of("id", r.id());
        assertEquals("value", assertThrows(ApiException.class,
                () -> runs.call(ALICE, "POST", "/api/runs/{id}/metrics", id, Map.of(), "{\"key\": \"loss\"}")).field());
        assertEquals("metrics[1].value", assertThrows(ApiException.class, () -> runs.call(ALICE, "POST", "/api/runs/{id}/batch", id,
                Map.of(), "{\"metrics\": [{\"key\": \"a\", \"value\": 1}, {\"key\": \"b\"}]}")).field());
        assertEquals(503, assertThrows(ApiException.class,
                () -> runs.call(ALICE, "POST", "/api/runs/{id}/reproduce", id, Map.of(), null)).status(), "no training bundle");
        assertThrows(NotFoundException.class, () -> runs.call(ALICE, "GET", "/api/runs/{id}",
                Map.of("id", "0123456789abcdef0123456789abcdef"), Map.of(), null));
        assertThrows(NotFoundException.class, () -> experiments.call(ALICE, "DELETE", "/api/experiments/{id}",
                Map.of("id", "424242"), Map.of(), null));
    }
}
