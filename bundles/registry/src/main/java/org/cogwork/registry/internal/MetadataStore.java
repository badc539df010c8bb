package org.cogwork.registry.internal;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.HandleCallback;
import org.jdbi.v3.core.Jdbi;
import org.cogwork.api.health.HealthResult;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.jdbi.v3.core.transaction.TransactionIsolationLevel;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The metadata database: a HikariCP pool, Jdbi on top, and the schema migrations. Embedded H2 (file mode, every
 * commit written to the file before the commit returns: {@code WRITE_DELAY=0}) unless a URL is configured.
 *
 * <p>Migrations are the resources {@code migration/V<n>__<what>.sql} named in {@link #MIGRATIONS}, applied in
 * order at start, each in its own transaction (PostgreSQL's DDL is transactional; H2 commits DDL as it goes, so a
 * failed H2 migration may have to be cleaned by hand) and recorded in {@code cogwork_schema_version}. Applied
 * versions are never applied again; a listed version is never edited, a change is a new version.
 */
@Component(name = "org.cogwork.registry.store", service = MetadataStore.class, configurationPid = RegistryConfig.PID)
@Designate(ocd = RegistryConfig.class)
public final class MetadataStore implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MetadataStore.class);
    /** In order. A resource name is its version and a description; never rename or edit one once released. */
    static final List<String> MIGRATIONS = List.of("V1__tracking_and_registry.sql", "V2__search_indexes.sql",
            "V3__predictions_and_feedback.sql", "V4__health_probe.sql");
    private static final Pattern VERSION = Pattern.compile("V(\\d+)__(.+)\\.sql");

    /** The pool and Jdbi once the database is open and migrated. */
    private record Opened(HikariDataSource pool, Jdbi jdbi) {
    }

    /**
     * Opening the database and checking migrations takes about 0.6 s on an embedded H2 file; it runs on its own
     * thread so the runtime's start-up does not wait for it. The first use waits (and sees any failure).
     */
    private final CompletableFuture<Opened> opened;
    private final String url;
    private final boolean postgres;

    @Activate
    public MetadataStore(BundleContext ctx, RegistryConfig config) {
        this(config, Tracking.dataDir(ctx));
    }

    /** For use outside OSGi (tests, tools). */
    public MetadataStore(RegistryConfig config, Path dataDir) {
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
            throw new InvalidField("url", "url must be empty (embedded H2), jdbc:h2:... or jdbc:postgresql://..., was '"
                    + u.replaceAll("(?i)password=[^&;]*", "password=***") + "'");
        }
        if (config.pool_max() < 1) {
            throw new InvalidField("pool.max", "pool.max must be >= 1, was " + config.pool_max());
        }
        this.url = u;
        this.postgres = u.startsWith("jdbc:postgresql:");
        HikariConfig hc = new HikariConfig();
        hc.setPoolName("cogwork-registry");
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
            Thread t = new Thread(r, "cogwork-registry-open");
            t.setDaemon(true);
            t.start();
        });
    }

    private Opened open(HikariConfig hc) {
        HikariDataSource pool = new HikariDataSource(hc);
        try {
            Jdbi jdbi = Jdbi.create(pool);
            jdbi.setHandleCallbackDecorator(MetadataStore::uninterrupted);
            migrate(jdbi);
            LOG.info("Registry metadata store at {}", where());
            return new Opened(pool, jdbi);
        } catch (RuntimeException e) {
            pool.close();
            LOG.error("The registry metadata store at {} cannot be opened: {}", where(), e.toString());
            throw e;
        }
    }

    /** Health: up while opening or open, down (with the reason) when the database cannot be opened. */
    HealthResult health() {
        if (!opened.isDone()) {
            return HealthResult.up("opening " + where());
        }
        try {
            opened.join();
            return HealthResult.up(where());
        } catch (CompletionException e) {
            return HealthResult.down("cannot open " + where() + ": " + e.getCause().getMessage());
        }
    }

    /**
     * Every database call runs with the caller's interrupt flag cleared, and restored after. H2 writes its file
     * through an interruptible channel: one call on an interrupted thread closes the channel and with it the whole
     * database for every user (error 90098) until a restart. Clearing the flag is enough for the interrupt that
     * waits on a thread (a cancelled job, a stopping executor); the callers that are interrupted on purpose (training
     * jobs) are never interrupted while they call the store. Cheaper and simpler than handing every call to a
     * store-owned thread, which would also break callers that nest calls.
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

    /** Whether the database is open and migrated (health then checks it can write). */
    boolean ready() {
        return opened.isDone() && !opened.isCompletedExceptionally();
    }

    /** Writes a new value to the health row and reads it back, within one transaction and a short query timeout. */
    void probeWrite() {
        long value = System.nanoTime();
        long read = jdbi().inTransaction(h -> {
            h.createUpdate("UPDATE cogwork_health SET probe = :p, checked = :t WHERE id = 1").bind("p", value)
                    .bind("t", System.currentTimeMillis()).setQueryTimeout(2).execute();
            return h.createQuery("SELECT probe FROM cogwork_health WHERE id = 1").setQueryTimeout(2).mapTo(Long.class).one();
        });
        if (read != value) {
            throw new IllegalStateException("wrote " + value + " to cogwork_health but read back " + read);
        }
    }

    private Opened opened() {
        try {
            return opened.join();
        } catch (CompletionException e) {
            Throwable cause = e.getCause();
            throw cause instanceof RuntimeException r ? r : new IllegalStateException("metadata store unavailable: " + cause, cause);
        }
    }

    /** The URL without credentials, for messages. */
    String where() {
        return url.replaceAll("(?i)password=[^&;]*", "password=***");
    }

    boolean postgres() {
        return postgres;
    }

    Jdbi jdbi() {
        return opened().jdbi();
    }

    /**
     * Runs {@code work} in one READ COMMITTED transaction, retried (a few times, with a short back-off) when the
     * database reports a unique-key race, a serialization failure, a deadlock or a lock timeout. {@code work}
     * must therefore have no effects outside the database.
     */
    <R> R tx(HandleCallback<R, RuntimeException> work) {
        for (int attempt = 1; ; attempt++) {
            try {
                return jdbi().inTransaction(TransactionIsolationLevel.READ_COMMITTED, work);
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

    void txVoid(java.util.function.Consumer<Handle> work) {
        tx(h -> {
            work.accept(h);
            return null;
        });
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

    /** Whether {@code e} is (caused by) a unique-key violation. */
    static boolean uniqueViolation(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException s && "23505".equals(s.getSQLState())) {
                return true;
            }
        }
        return false;
    }

    /** The versions recorded in {@code cogwork_schema_version}, in order. */
    List<Integer> appliedVersions() {
        return appliedVersions(jdbi());
    }

    private static List<Integer> appliedVersions(Jdbi jdbi) {
        return jdbi.withHandle(h -> h.createQuery("SELECT version FROM cogwork_schema_version ORDER BY version")
                .mapTo(Integer.class).list());
    }

    private void migrate(Jdbi jdbi) {
        jdbi.useHandle(h -> h.execute("CREATE TABLE IF NOT EXISTS cogwork_schema_version (version INTEGER NOT NULL PRIMARY KEY, "
                + "description VARCHAR(250) NOT NULL, applied BIGINT NOT NULL)"));
        List<Integer> applied = appliedVersions(jdbi);
        int expected = 1;
        for (String name : MIGRATIONS) {
            Matcher m = VERSION.matcher(name);
            if (!m.matches() || Integer.parseInt(m.group(1)) != expected) {
                throw new IllegalStateException("migration " + name + " out of order: expected V" + expected);
            }
            expected++;
            int version = Integer.parseInt(m.group(1));
            if (applied.contains(version)) {
                continue;
            }
            List<String> statements = statements(read(name));
            jdbi.useTransaction(h -> {
                for (String sql : statements) {
                    h.execute(sql);
                }
                h.execute("INSERT INTO cogwork_schema_version (version, description, applied) VALUES (?, ?, ?)",
                        version, m.group(2).replace('_', ' '), System.currentTimeMillis());
            });
            LOG.info("Registry schema migrated to version {} ({})", version, name);
        }
        int newest = expected - 1;
        if (!applied.isEmpty() && applied.get(applied.size() - 1) > newest) {
            throw new IllegalStateException("the metadata database at " + where() + " has schema version "
                    + applied.get(applied.size() - 1) + ", newer than this bundle knows (" + newest + "): use a newer Cogwork");
        }
    }

    private static String read(String name) {
        try (InputStream in = MetadataStore.class.getResourceAsStream("migration/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing migration resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Splits a script at ';' ending a line; '--' comment lines are dropped. */
    static List<String> statements(String script) {
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
            opened().pool().close();
        } catch (RuntimeException e) {
            // never opened: nothing to close
        }
    }
}
