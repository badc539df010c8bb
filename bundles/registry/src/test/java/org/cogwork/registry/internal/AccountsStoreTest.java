package org.cogwork.registry.internal;

import org.cogwork.persistence.internal.MetadataStore;
import org.cogwork.persistence.testing.PostgresSchema;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.cogwork.api.problem.ConflictException;
import org.cogwork.api.problem.InvalidFieldException;
import org.cogwork.api.problem.NotFoundException;
import org.cogwork.api.security.Accounts;
import org.cogwork.api.security.AuditLog;
import org.cogwork.api.security.Role;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/** Users, tokens and the audit log on embedded H2 and on a real PostgreSQL (skipped where none answers, never in CI). */
class AccountsStoreTest {
    @TempDir
    Path data;

    private MetadataStore open(String db) throws Exception {
        if (db.equals("h2")) {
            return new MetadataStore(RegistryContractTest.config(Map.of()), data);
        }
        String schema = "cw_accounts_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        try (Connection c = DriverManager.getConnection(PostgresSchema.URL, PostgresSchema.USER, ""); Statement st = c.createStatement()) {
            st.execute("CREATE SCHEMA " + schema);
        } catch (java.sql.SQLException e) {
            if ("true".equals(System.getenv("CI"))) {
                throw new AssertionError("CI must run this test against a real PostgreSQL", e);
            }
            Assumptions.abort("no PostgreSQL: " + e.getMessage());
        }
        return new MetadataStore(RegistryContractTest.config(Map.of("url", PostgresSchema.URL + "?currentSchema=" + schema,
                "user", PostgresSchema.USER)), data);
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void usersPasswordsAndTheLastAdmin(String db) throws Exception {
        try (MetadataStore store = open(db)) {
            AccountsStore accounts = new AccountsStore(RegistryContractTest.registryDb(store), "root", "root-password-1", data);
            assertEquals(Role.ADMIN, accounts.checkPassword("root", "root-password-1").orElseThrow().role());
            assertTrue(accounts.checkPassword("root", "wrong").isEmpty());
            assertTrue(accounts.checkPassword("nobody", "root-password-1").isEmpty());
            assertFalse(Files.exists(data.resolve("initial-admin-password")), "the password was given: no file");

            accounts.createUser("ann", Role.ANNOTATOR, "ann-password", "root");
            assertThrows(ConflictException.class, () -> accounts.createUser("ann", Role.ADMIN, "another-pw", "root"));
            assertThrows(InvalidFieldException.class, () -> accounts.createUser("bad name", Role.ADMIN, "another-pw", "root"));
            assertEquals("password", assertThrows(InvalidFieldException.class,
                    () -> accounts.createUser("short", Role.ADMIN, "1234567", "root")).field());
            assertThrows(InvalidFieldException.class, () -> accounts.createUser("long", Role.ADMIN, "x".repeat(73), "root"));
            assertEquals(Role.ANNOTATOR, accounts.checkPassword("ann", "ann-password").orElseThrow().role());
            accounts.updateUser("ann", null, null, true, "root");
            assertTrue(accounts.checkPassword("ann", "ann-password").isEmpty(), "disabled at once, cache or not");
            accounts.updateUser("ann", Role.INTEGRATOR, "new-ann-password", false, "root");
            assertTrue(accounts.checkPassword("ann", "ann-password").isEmpty(), "the old password stops working");
            assertEquals(Role.INTEGRATOR, accounts.checkPassword("ann", "new-ann-password").orElseThrow().role());

            assertThrows(ConflictException.class, () -> accounts.deleteUser("root", "root"), "the last admin stays");
            assertThrows(ConflictException.class, () -> accounts.updateUser("root", Role.ANNOTATOR, null, null, "root"));
            assertThrows(NotFoundException.class, () -> accounts.deleteUser("ghost", "root"));
            String users = RegistryContractTest.registryDb(store).jdbi().withHandle(h -> h.createQuery("SELECT password_hash FROM cogwork_users WHERE name = 'ann'")
                    .mapTo(String.class).one());
            assertTrue(users.startsWith("$2b$10$"), "bcrypt: " + users);
        }
    }

    /** An unusable COGWORK_ADMIN_PASSWORD or COGWORK_ADMIN_USER is named, without the secret, and creates nobody. */
    @Test
    void anUnusableFirstAdminIsNamedAndCreatesNobody() throws Exception {
        try (MetadataStore store = open("h2")) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> new AccountsStore(RegistryContractTest.registryDb(store), "admin", "short-7", data));
            assertEquals("COGWORK_ADMIN_PASSWORD cannot be used: password must be 8 to 72 bytes long (bcrypt's limit), was 7",
                    e.getMessage());
            IllegalStateException name = assertThrows(IllegalStateException.class,
                    () -> new AccountsStore(RegistryContractTest.registryDb(store), "bad name", "long-enough-1", data));
            assertTrue(name.getMessage().startsWith("COGWORK_ADMIN_USER cannot be used: "), name.getMessage());
            AccountsStore fixed = new AccountsStore(RegistryContractTest.registryDb(store), "admin", "long-enough-1", data);
            assertEquals(1, fixed.users().size(), "the failed starts created nobody: " + fixed.users());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void tokensAreHashedRevocableAndExpire(String db) throws Exception {
        try (MetadataStore store = open(db)) {
            AccountsStore accounts = new AccountsStore(RegistryContractTest.registryDb(store), "admin", null, data);
            assertTrue(Files.readString(data.resolve("initial-admin-password")).strip().length() >= 20, "generated admin password");
            Accounts.NewToken t = accounts.createToken("ci", Role.DATA_SCIENTIST, null, "admin");
            assertEquals("ci", accounts.checkToken(t.token()).orElseThrow().name());
            assertEquals("token", accounts.checkToken(t.token()).orElseThrow().credential());
            assertTrue(accounts.checkToken(t.token() + "x").isEmpty());
            assertTrue(accounts.checkToken(t.token().substring(0, t.token().length() - 1) + "A").isEmpty()
                    || t.token().endsWith("A"), "another secret with the same id is refused");
            String stored = RegistryContractTest.registryDb(store).jdbi().withHandle(h -> h.createQuery("SELECT secret_hash FROM cogwork_tokens").mapTo(String.class).one());
            assertFalse(t.token().contains(stored) || stored.contains(t.token().substring(21)), "only a hash is stored");
            assertNull(accounts.tokens().get(0).revoked());
            accounts.revokeToken(t.info().id(), "admin");
            assertTrue(accounts.checkToken(t.token()).isEmpty(), "revoked: refused at once although it was cached");
            assertNotNull(accounts.tokens().get(0).revoked());
            Accounts.NewToken brief = accounts.createToken("brief", Role.INTEGRATOR, Instant.now().plusMillis(300), "admin");
            assertTrue(accounts.checkToken(brief.token()).isPresent());
            Thread.sleep(400);
            assertTrue(accounts.checkToken(brief.token()).isEmpty(), "expired, although cached");
            assertThrows(InvalidFieldException.class, () -> accounts.createToken("old", Role.INTEGRATOR, Instant.now().minusSeconds(1), "admin"));
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < 50; i++) {
                assertTrue(seen.add(accounts.createToken("n" + i, Role.INTEGRATOR, null, "admin").token()));
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void auditIsPagedNewestFirstAndFiltered(String db) throws Exception {
        try (MetadataStore store = open(db)) {
            AuditStore audit = new AuditStore(RegistryContractTest.registryDb(store));
            for (int i = 0; i < 7; i++) {
                audit.record(AuditLog.Entry.of(i % 2 == 0 ? "ann" : "bob", "admin", "POST /api/models", "/api/models/m" + i, "201", "127.0.0.1"));
            }
            audit.record(AuditLog.Entry.of("ann", null, "sign-in failed", "GET /api/x", "401", "10.0.0.1"));
            AuditLog.Page first = audit.search("ann", null, null, null, 3, null);
            assertEquals(List.of("sign-in failed", "POST /api/models", "POST /api/models"), first.entries().stream().map(AuditLog.Entry::action).toList());
            AuditLog.Page second = audit.search("ann", null, null, null, 3, first.nextPageToken());
            assertEquals(2, second.entries().size());
            assertNull(second.nextPageToken());
            assertEquals(7, audit.search(null, "POST", null, null, 100, null).entries().size());
            assertEquals(0, audit.search(null, "POST_%", null, null, 100, null).entries().size(), "LIKE wildcards are literal");
            assertEquals(0, audit.search(null, null, Instant.now().plusSeconds(60), null, 100, null).entries().size());
            assertEquals("max", assertThrows(InvalidFieldException.class, () -> audit.search(null, null, null, null, 0, null)).field());
            assertEquals("pageToken", assertThrows(InvalidFieldException.class, () -> audit.search(null, null, null, null, 5, "x")).field());
        }
    }
}
