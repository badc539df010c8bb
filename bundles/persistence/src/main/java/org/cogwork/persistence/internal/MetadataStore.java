package org.cogwork.persistence.internal;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.cogwork.api.health.HealthResult;
import org.cogwork.api.problem.InvalidFieldException;
import org.cogwork.api.security.SecretBox;
import org.cogwork.persistence.Database;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.HandleCallback;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.transaction.TransactionIsolationLevel;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import java.util.Dictionary;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The metadata database: a HikariCP pool, Jdbi on top, and the migrations of every module that uses it. Embedded
 * H2 (file mode, every commit written to the file before the commit returns: {@code WRITE_DELAY=0}) unless a URL
 * is configured. Each bundle sees it through its own {@link BundleDatabase}; {@link #database} is the same for
 * code outside OSGi (tests, tools).
 *
 * <p>Migrations: see {@link Database}. Applied versions are recorded per module in {@code cogwork_migrations};
 * a database from before this table (the registry's {@code cogwork_schema_version}, versions 1-5) is adopted as the
 * registry's history the first time, and the old table is left as it was.
 */
@Component(name = "org.cogwork.persistence.store", service = MetadataStore.class, configurationPid = PersistenceConfig.PID)
@Designate(ocd = PersistenceConfig.class)
public final class MetadataStore implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MetadataStore.class);
    private static final Pattern VERSION = Pattern.compile("V(\\d+)__(\\w+)\\.sql");
    /** The module that owned the database before migrations were per module. */
    static final String LEGACY_MODULE = "org.cogwork.registry";
    /** Any constant: the PostgreSQL advisory lock that serialises migrations of runtimes sharing one database. */
    private static final long MIGRATION_LOCK = 0x636f67776f726bL;

    /** The pool and Jdbi once the database is open. */
    private record Opened(HikariDataSource pool, Jdbi jdbi) {
    }

    /**
     * Opening the database takes about 0.6 s on an embedded H2 file; it runs on its own thread so the runtime's
     * start-up does not wait for it. The first use waits (and sees any failure).
     */
    private final CompletableFuture<Opened> opened;
    /** Module (bundle symbolic name) → its latest migration run, for health. */
    private final Map<String, CompletableFuture<Jdbi>> modules = new ConcurrentHashMap<>();
    private final String url;
    private final boolean postgres;

    @Activate
    public MetadataStore(BundleContext ctx, PersistenceConfig config, @Reference SecretBox box, @Reference ConfigurationAdmin cm) {
        this(box.opened(PersistenceConfig.class, legacy(config, cm, box), "password"), dataDir(ctx));
    }

    /**
     * {@code config}, or where it names no URL and the registry's configuration (where these keys lived before this
     * bundle) does, a view of that one: an existing PostgreSQL installation keeps its database after the update
     * instead of silently starting on an empty embedded one. Read at activation only; move the keys to
     * {@code org.cogwork.persistence.cfg} to change them.
     */
    static PersistenceConfig legacy(PersistenceConfig config, ConfigurationAdmin cm, SecretBox box) {
        if (!config.url().isBlank()) {
            return config;
        }
        Dictionary<String, Object> old;
        try {
            Configuration[] found = cm.listConfigurations("(service.pid=" + PersistenceConfig.LEGACY_PID + ")");
            old = found == null || found.length == 0 ? null : found[0].getProperties();
        } catch (IOException | org.osgi.framework.InvalidSyntaxException e) {
            throw new IllegalStateException("cannot read the configuration " + PersistenceConfig.LEGACY_PID, e);
        }
        if (old == null || !(old.get("url") instanceof String url) || url.isBlank()) {
            return config;
        }
        LOG.warn("The database settings are read from {} (deprecated): move url, user, password and pool.max to config/{}.cfg",
                PersistenceConfig.LEGACY_PID, PersistenceConfig.PID);
        String user = old.get("user") instanceof String u ? u : "";
        String password = old.get("password") instanceof String p ? p : "";
        int pool = old.get("pool.max") == null ? config.pool_max() : Integer.parseInt(old.get("pool.max").toString().trim());
        return settings(url, user, password, pool);
    }

    /** Settings given as values (legacy configuration, tools). */
    public static PersistenceConfig settings(String url, String user, String password, int poolMax) {
        return new PersistenceConfig() {
            @Override
            public Class<? extends java.lang.annotation.Annotation> annotationType() {
                return PersistenceConfig.class;
            }

            @Override
            public String url() {
                return url;
            }

            @Override
            public String user() {
                return user;
            }

            @Override
            public String password() {
                return password;
            }

            @Override
            public int pool_max() {
                return poolMax;
            }
        };
    }

    /** For use outside OSGi (tests, tools). */
    public MetadataStore(PersistenceConfig config, Path dataDir) {
        String u = config.url() == null ? "" : config.url().trim();
        if (u.isEmpty()) {
            Path dir = dataDir.resolve("metadata");
            try {
                Files.createDirectories(dir);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create " + dir, e);
            }
            // WRITE_DELAY=0: a commit is in the file (the OS's cache) when it returns, so a killed process loses
            // nothing acknowledged; H2's default (500 ms) would lose the last half second.
            // DB_CLOSE_ON_EXIT=FALSE: H2's own shutdown hook would close the database while the framework is
            // still stopping, and the writes of that moment (a running job's end) fail; the pool closes it instead.
            u = "jdbc:h2:file:" + dir.resolve("cogwork").toAbsolutePath() + ";WRITE_DELAY=0;LOCK_TIMEOUT=10000;DB_CLOSE_ON_EXIT=FALSE";
        }
        if (!u.startsWith("jdbc:h2:") && !u.startsWith("jdbc:postgresql:")) {
            throw new InvalidFieldException("url", "url must be empty (embedded H2), jdbc:h2:... or jdbc:postgresql://..., was '"
                    + u.replaceAll("(?i)password=[^&;]*", "password=***") + "'");
        }
        if (config.pool_max() < 1) {
            throw new InvalidFieldException("pool.max", "pool.max must be >= 1, was " + config.pool_max());
        }
        this.url = u;
        this.postgres = u.startsWith("jdbc:postgresql:");
        HikariConfig hc = new HikariConfig();
        hc.setPoolName("cogwork-metadata");
        // Named explicitly: Hikari loads it through this bundle's class loader, no DriverManager lookup.
        hc.setDriverClassName(postgres ? "org.postgresql.Driver" : "org.h2.Driver");
        hc.setJdbcUrl(u);
        if (config.user() != null && !config.user().isBlank()) {
            hc.setUsername(config.user().trim());
        }
        if (config.password() != null && !config.password().isEmpty()) {
            hc.setPassword(config.password());
        }
        hc.setMaximumPoolSize(config.pool_max());
        hc.setConnectionTimeout(30_000);
        hc.setAutoCommit(true);
        this.opened = CompletableFuture.supplyAsync(() -> open(hc), r -> {
            Thread t = new Thread(r, "cogwork-metadata-open");
            t.setDaemon(true);
            t.start();
        });
    }

    static Path dataDir(BundleContext ctx) {
        String d = ctx.getProperty("cogwork.data.dir");
        return Path.of(d == null ? "data" : d);
    }

    private Opened open(HikariConfig hc) {
        HikariDataSource pool = new HikariDataSource(hc);
        try {
            Jdbi jdbi = Jdbi.create(pool);
            jdbi.setHandleCallbackDecorator(MetadataStore::uninterrupted);
            // The row /health writes and reads back on every check (see StoreHealth). Created here, not by a versioned
            // migration: it belongs to the store itself, and the registry's V4 made the same table before.
            jdbi.useHandle(h -> locked(h, () -> {
                h.execute("CREATE TABLE IF NOT EXISTS cogwork_health (id INTEGER NOT NULL PRIMARY KEY, probe BIGINT NOT NULL, checked BIGINT NOT NULL)");
                h.execute("INSERT INTO cogwork_health (id, probe, checked) SELECT 1, 0, 0 WHERE NOT EXISTS (SELECT 1 FROM cogwork_health WHERE id = 1)");
            }));
            LOG.info("Metadata database at {}", where());
            return new Opened(pool, jdbi);
        } catch (RuntimeException e) {
            pool.close();
            LOG.error("The metadata database at {} cannot be opened: {}", where(), e.toString());
            throw e;
        }
    }

    /**
     * The database as {@code module} sees it: its migrations from {@code scripts} are applied, on a thread of their
     * own, as soon as the database is open; every call waits for them (a failure is kept and seen by every call, and
     * by health).
     */
    public Database database(String module, MigrationSource scripts) {
        // Not cached by module: an updated bundle may bring new versions, and checking costs two queries.
        CompletableFuture<Jdbi> ready = opened.thenApplyAsync(o -> migrate(o.jdbi(), module, scripts), r -> {
            Thread t = new Thread(r, "cogwork-migrate-" + module);
            t.setDaemon(true);
            t.start();
        });
        modules.put(module, ready);
        return new ModuleDatabase(ready);
    }

    /** One module's view: waits for its migrations, then behaves as the store. */
    private final class ModuleDatabase implements Database {
        private final CompletableFuture<Jdbi> ready;

        ModuleDatabase(CompletableFuture<Jdbi> ready) {
            this.ready = ready;
        }

        @Override
        public Jdbi jdbi() {
            return join(ready);
        }

        @Override
        public <R> R tx(HandleCallback<R, RuntimeException> work) {
            return MetadataStore.tx(jdbi(), work);
        }

        @Override
        public boolean postgres() {
            return postgres;
        }

        @Override
        public String where() {
            return MetadataStore.this.where();
        }
    }

    private static <T> T join(CompletableFuture<T> f) {
        try {
            return f.join();
        } catch (CompletionException e) {
            Throwable cause = e.getCause();
            throw cause instanceof RuntimeException r ? r : new IllegalStateException("metadata database unavailable: " + cause, cause);
        }
    }

    /**
     * Every database call runs with the caller's interrupt flag cleared, and restored after. H2 writes its file
     * through an interruptible channel: one call on an interrupted thread closes the channel and with it the whole
     * database for every user (error 90098) until a restart. Clearing the flag is enough for the interrupt that
     * waits on a thread (a cancelled job, a stopping executor).
     */
    private static <R, X extends Exception> HandleCallback<R, X> uninterrupted(HandleCallback<R, X> work) {
        return handle -> {
            boolean interrupted = Thread.interrupted();
            try {
                return work.withHandle(handle);
            } finally {
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
        };
    }

    static <R> R tx(Jdbi jdbi, HandleCallback<R, RuntimeException> work) {
        for (int attempt = 1; ; attempt++) {
            try {
                return jdbi.inTransaction(TransactionIsolationLevel.READ_COMMITTED, work);
            } catch (RuntimeException e) {
                if (attempt >= 8 || !retryable(e)) {
                    throw e;
                }
                try {
                    Thread.sleep(2L * attempt + (long) (Math.random() * 5 * attempt));
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    static boolean retryable(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException s && s.getSQLState() != null) {
                String st = s.getSQLState();
                // 23505 unique violation, 40001 serialization, 40P01 deadlock (PG), HYT00 lock timeout (H2)
                if (st.equals("23505") || st.equals("40001") || st.equals("40P01") || st.equals("HYT00")) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Health: up while opening or open, down (with the reason) when the database or a module's migration failed. */
    HealthResult health() {
        if (!opened.isDone()) {
            return HealthResult.up("opening " + where());
        }
        try {
            opened.join();
        } catch (CompletionException e) {
            return HealthResult.down("cannot open " + where() + ": " + e.getCause().getMessage());
        }
        List<String> failed = new ArrayList<>();
        modules.forEach((m, f) -> {
            if (f.isCompletedExceptionally()) {
                failed.add(m + ": " + f.handle((v, e) -> e == null ? "" : (e instanceof CompletionException c ? c.getCause() : e).getMessage()).join());
            }
        });
        return failed.isEmpty() ? HealthResult.up(where()) : HealthResult.down("migrations failed: " + String.join("; ", failed));
    }

    /** Whether the database is open (health then checks it can write). */
    boolean ready() {
        return opened.isDone() && !opened.isCompletedExceptionally();
    }

    /** Writes a new value to the health row and reads it back, within one transaction and a short query timeout. */
    void probeWrite() {
        Jdbi jdbi = join(opened).jdbi();
        long value = System.nanoTime();
        long read = jdbi.inTransaction(h -> {
            h.createUpdate("UPDATE cogwork_health SET probe = :p, checked = :t WHERE id = 1").bind("p", value)
                    .bind("t", System.currentTimeMillis()).setQueryTimeout(2).execute();
            return h.createQuery("SELECT probe FROM cogwork_health WHERE id = 1").setQueryTimeout(2).mapTo(Long.class).one();
        });
        if (read != value) {
            throw new IllegalStateException("wrote " + value + " to cogwork_health but read back " + read);
        }
    }

    /** The URL without credentials, for messages. */
    String where() {
        return url.replaceAll("(?i)password=[^&;]*", "password=***");
    }

    /** The versions of {@code module} recorded in {@code cogwork_migrations}, in order. */
    public List<Integer> appliedVersions(String module) {
        return join(opened).jdbi().withHandle(h -> h.createQuery(
                "SELECT version FROM cogwork_migrations WHERE module = :m ORDER BY version").bind("m", module).mapTo(Integer.class).list());
    }

    /** A module's scripts by version, checked: names {@code V<n>__<words>.sql}, versions 1..n without gaps. */
    public static Map<Integer, String> scripts(String module, MigrationSource source) {
        Map<Integer, String> byVersion = new java.util.TreeMap<>();
        for (String name : source.names()) {
            Matcher m = VERSION.matcher(name);
            if (!m.matches()) {
                throw new IllegalStateException("migration " + module + "/" + name + ": the name must be V<n>__<description>.sql");
            }
            String before = byVersion.put(Integer.parseInt(m.group(1)), name);
            if (before != null) {
                throw new IllegalStateException("migrations " + module + "/" + before + " and " + name + " have the same version");
            }
        }
        int expected = 1;
        for (int v : byVersion.keySet()) {
            if (v != expected) {
                throw new IllegalStateException("migrations of " + module + " skip from V" + (expected - 1) + " to V" + v);
            }
            expected++;
        }
        return byVersion;
    }

    /**
     * Applies {@code module}'s scripts not yet recorded, each in its own transaction (PostgreSQL's DDL is
     * transactional; H2 commits DDL as it goes, so scripts are written to run again after a kill: see {@link
     * Database}; a script that fails for another reason on H2 may need cleaning by hand). Serialised in
     * this process, and across processes on PostgreSQL by an advisory lock held on one connection.
     */
    private Jdbi migrate(Jdbi jdbi, String module, MigrationSource source) {
        Map<Integer, String> scripts = scripts(module, source);
        jdbi.useHandle(h -> locked(h, () -> {
            prepareHistory(h);
            List<Integer> applied = h.createQuery("SELECT version FROM cogwork_migrations WHERE module = :m ORDER BY version")
                    .bind("m", module).mapTo(Integer.class).list();
            int newest = scripts.size();
            if (!applied.isEmpty() && applied.get(applied.size() - 1) > newest) {
                throw new IllegalStateException("the metadata database at " + where() + " has " + module + " schema version "
                        + applied.get(applied.size() - 1) + ", newer than this bundle knows (" + newest + "): use a newer bundle");
            }
            for (Map.Entry<Integer, String> s : scripts.entrySet()) {
                int version = s.getKey();
                if (applied.contains(version)) {
                    continue;
                }
                String name = s.getValue();
                List<String> statements = statements(source.read(name));
                h.useTransaction(t -> {
                    for (String sql : statements) {
                        t.execute(sql);
                    }
                    t.execute("INSERT INTO cogwork_migrations (module, version, description, applied) VALUES (?, ?, ?, ?)",
                            module, version, description(name), System.currentTimeMillis());
                });
                LOG.info("Schema of {} migrated to version {} ({})", module, version, name);
            }
        }));
        return jdbi;
    }

    /** One process on an H2 file; stores of this process sharing it (tests) take turns here. */
    private static final Object H2_LOCK = new Object();

    /**
     * Runs {@code work} (schema changes) while no other store changes the schema: in this process a lock, across
     * processes on PostgreSQL an advisory lock held by {@code h}'s session (released even if the process dies).
     */
    private void locked(Handle h, Runnable work) {
        synchronized (H2_LOCK) {
            if (!postgres) {
                work.run();
                return;
            }
            h.createQuery("SELECT 1 FROM (SELECT pg_advisory_lock(:k)) AS l").bind("k", MIGRATION_LOCK).mapTo(Integer.class).one();
            try {
                work.run();
            } finally {
                h.createQuery("SELECT 1 FROM (SELECT pg_advisory_unlock(:k)) AS l").bind("k", MIGRATION_LOCK).mapTo(Integer.class).one();
            }
        }
    }

    private static String description(String name) {
        Matcher m = VERSION.matcher(name);
        return m.matches() ? m.group(2).replace('_', ' ') : name;
    }

    /** Creates {@code cogwork_migrations}; the first time, adopts the registry's {@code cogwork_schema_version}. */
    private static void prepareHistory(Handle h) {
        h.useTransaction(t -> {
            t.execute("CREATE TABLE IF NOT EXISTS cogwork_migrations (module VARCHAR(200) NOT NULL, version INTEGER NOT NULL, "
                    + "description VARCHAR(250) NOT NULL, applied BIGINT NOT NULL, PRIMARY KEY (module, version))");
        });
        boolean adopted = h.createQuery("SELECT COUNT(*) FROM cogwork_migrations WHERE module = :m").bind("m", LEGACY_MODULE)
                .mapTo(Integer.class).one() > 0;
        if (adopted || !tableExists(h, "cogwork_schema_version")) {
            return;
        }
        h.useTransaction(t -> {
            int n = t.execute("INSERT INTO cogwork_migrations (module, version, description, applied) "
                    + "SELECT '" + LEGACY_MODULE + "', version, description, applied FROM cogwork_schema_version");
            LOG.info("Adopted {} versions of the registry's schema history (cogwork_schema_version, left as it was)", n);
        });
    }

    private static boolean tableExists(Handle h, String table) {
        try {
            return tables(h).contains(table.toLowerCase());
        } catch (SQLException e) {
            throw new IllegalStateException("cannot list the tables of the metadata database", e);
        }
    }

    private static List<String> tables(Handle h) throws SQLException {
        List<String> out = new ArrayList<>();
        String schema = h.getConnection().getSchema();
        try (var rs = h.getConnection().getMetaData().getTables(null, schema, null, new String[] {"TABLE"})) {
            while (rs.next()) {
                out.add(rs.getString("TABLE_NAME").toLowerCase());
            }
        }
        return out;
    }

    /** Splits a script at ';' ending a line; '--' comment lines are dropped. */
    public static List<String> statements(String script) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        for (String line : script.split("\n")) {
            String t = line.strip();
            if (t.startsWith("--") || t.isEmpty()) {
                continue;
            }
            if (t.endsWith(";")) {
                cur.append(t, 0, t.length() - 1);
                out.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(t).append('\n');
            }
        }
        if (!cur.toString().isBlank()) {
            out.add(cur.toString());
        }
        return out;
    }

    @Override
    @Deactivate
    public void close() {
        try {
            join(opened).pool().close();
        } catch (RuntimeException e) {
            // never opened: nothing to close
        }
    }
}
