package org.cogwork.api.security;

import java.time.Instant;
import java.util.List;

/**
 * The append-only record of every state-changing call and every sign-in, sign-out and failed attempt, kept in
 * the metadata store. There is no way to change or remove an entry.
 */
public interface AuditLog {
    /** Appends an entry; its id and (when {@code null}) time are set by the log. Returns the stored entry. */
    Entry record(Entry entry);

    /**
     * Entries newest first, filtered by user, action prefix and time range (each {@code null} for any), at most
     * {@code max}, continuing after {@code pageToken} (from a previous page, or {@code null}).
     */
    Page search(String user, String action, Instant from, Instant to, int max, String pageToken);

    /**
     * One audited event.
     *
     * @param id assigned by the log
     * @param time when it happened
     * @param user the principal's name ({@code anonymous} for failed sign-ins without a known user)
     * @param role the principal's role id, or {@code null}
     * @param action what was asked, e.g. {@code POST /api/models/{name}/aliases/{alias}} or {@code sign-in}
     * @param target what it was asked of (the request path)
     * @param outcome the HTTP status, or the sign-in result
     * @param remoteAddress the client's address
     */
    record Entry(long id, Instant time, String user, String role, String action, String target, String outcome, String remoteAddress) {
        public static Entry of(String user, String role, String action, String target, String outcome, String remoteAddress) {
            return new Entry(0, null, user, role, action, target, outcome, remoteAddress);
        }
    }

    record Page(List<Entry> entries, String nextPageToken) {
    }
}
