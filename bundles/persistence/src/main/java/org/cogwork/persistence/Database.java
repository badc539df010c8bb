package org.cogwork.persistence;

import java.sql.SQLException;
import java.util.function.Consumer;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.HandleCallback;
import org.jdbi.v3.core.Jdbi;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The platform's metadata database (embedded H2 by default, PostgreSQL by configuration), as the bundle that got
 * this service sees it: the bundle's own migrations are applied before the first call returns.
 *
 * <h2>Migrations</h2>
 * A bundle's schema is the set of resources {@code db/migration/V<n>__<description>.sql} in its jar ({@code n} =
 * 1, 2, 3, ... without gaps). Each version is applied once, in order, in its own transaction, and recorded per
 * bundle (by symbolic name) in {@code cogwork_migrations}; a released script is never edited, a change is a new
 * version. Statements end with {@code ;} at the end of a line and must run on both H2 2.x and PostgreSQL
 * (portable types, times as epoch milliseconds, JSON as text). Two runtimes starting on one PostgreSQL at once
 * migrate one after the other (an advisory lock). Every statement must be able to run again ({@code IF NOT EXISTS},
 * {@code IF EXISTS}, copies that skip rows already copied): H2 commits each DDL statement as it goes, so a process
 * killed during a version leaves part of it done and the version unrecorded, and the next start runs the whole
 * script again. The test-jar's {@code MigrationRerun} checks a bundle's scripts for that, stopping each version
 * after each statement.
 *
 * <h2>Use</h2>
 * <pre>{@code
 * @Activate
 * public FeedbackStore(@Reference Database db) { this.db = db; }
 *
 * db.tx(h -> h.createUpdate("INSERT INTO feedback ...").bind(...).execute());
 * }</pre>
 * Calls block until the database is open and migrated (opening runs on its own thread so start-up does not wait);
 * they fail with the reason when it cannot be opened. Every call runs with the caller's interrupt flag cleared and
 * restored after: an interrupt during an H2 write closes the database for everyone.
 *
 * @since 1.0
 */
@ProviderType
public interface Database {

    /** Jdbi over the pool; each call borrows a connection for its duration. */
    Jdbi jdbi();

    /**
     * Runs {@code work} in one READ COMMITTED transaction, retried (a few times, with a short back-off) when the
     * database reports a unique-key race, a serialization failure, a deadlock or a lock timeout. {@code work}
     * must therefore have no effect outside the database.
     */
    <R> R tx(HandleCallback<R, RuntimeException> work);

    /** {@link #tx} without a result. */
    default void txVoid(Consumer<Handle> work) {
        tx(h -> {
            work.accept(h);
            return null;
        });
    }

    /** Whether the database is PostgreSQL (otherwise H2), for the few statements that differ. */
    boolean postgres();

    /** The JDBC URL without credentials, for messages. */
    String where();

    /** Whether {@code e} is (caused by) a unique-key violation (SQLState 23505 on both databases). */
    static boolean uniqueViolation(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException s && "23505".equals(s.getSQLState())) {
                return true;
            }
        }
        return false;
    }
}
