package org.cogwork.registry.internal;

import org.cogwork.persistence.Database;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.cogwork.api.problem.InvalidFieldException;
import org.cogwork.api.security.AuditLog;
import org.jdbi.v3.core.statement.Query;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The audit log over the metadata store ({@code cogwork_audit}, migration V5): INSERT and SELECT only. Entries
 * are committed before {@link #record} returns; long values are cut to the column sizes rather than refused (an
 * audit entry is never lost for a long path).
 */
@Component(name = "org.cogwork.registry.audit", service = AuditLog.class)
public class AuditStore implements AuditLog {
    static final int MAX_PAGE = 1000;
    private final Database db;

    @Activate
    public AuditStore(@Reference Database db) {
        this.db = db;
    }

    @Override
    public Entry record(Entry e) {
        long at = e.time() == null ? System.currentTimeMillis() : e.time().toEpochMilli();
        long id = db.tx(h -> h.createUpdate("INSERT INTO cogwork_audit (at_time, user_name, role, action, target, outcome, remote) "
                        + "VALUES (?, ?, ?, ?, ?, ?, ?)")
                .bind(0, at).bind(1, cut(e.user() == null ? "anonymous" : e.user(), 250)).bind(2, cut(e.role(), 32))
                .bind(3, cut(e.action(), 300)).bind(4, cut(e.target(), 1000)).bind(5, cut(e.outcome(), 100))
                .bind(6, cut(e.remoteAddress(), 100))
                .executeAndReturnGeneratedKeys("id").mapTo(Long.class).one());
        return new Entry(id, Instant.ofEpochMilli(at), e.user(), e.role(), e.action(), e.target(), e.outcome(), e.remoteAddress());
    }

    @Override
    public Page search(String user, String action, Instant from, Instant to, int max, String pageToken) {
        if (max < 1 || max > MAX_PAGE) {
            throw new InvalidFieldException("max", "max must be between 1 and " + MAX_PAGE + ", was " + max);
        }
        Long before = null;
        if (pageToken != null) {
            try {
                before = Long.parseLong(pageToken);
            } catch (NumberFormatException ex) {
                throw new InvalidFieldException("pageToken", "pageToken is not one this server gave out");
            }
        }
        StringBuilder sql = new StringBuilder("SELECT id, at_time, user_name, role, action, target, outcome, remote FROM cogwork_audit WHERE 1 = 1");
        List<Object> args = new ArrayList<>();
        if (user != null) {
            sql.append(" AND user_name = ?");
            args.add(user);
        }
        if (action != null) {
            sql.append(" AND action LIKE ? ESCAPE '!'");
            args.add(action.replace("!", "!!").replace("%", "!%").replace("_", "!_") + "%");
        }
        if (from != null) {
            sql.append(" AND at_time >= ?");
            args.add(from.toEpochMilli());
        }
        if (to != null) {
            sql.append(" AND at_time < ?");
            args.add(to.toEpochMilli());
        }
        if (before != null) {
            sql.append(" AND id < ?");
            args.add(before);
        }
        sql.append(" ORDER BY id DESC");
        List<Entry> rows = db.jdbi().withHandle(h -> {
            Query q = h.createQuery(sql.toString()).setMaxRows(max + 1);
            for (int i = 0; i < args.size(); i++) {
                q.bind(i, args.get(i));
            }
            return q.map((rs, c) -> new Entry(rs.getLong(1), Instant.ofEpochMilli(rs.getLong(2)), rs.getString(3), rs.getString(4),
                    rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8))).list();
        });
        if (rows.size() > max) {
            List<Entry> page = rows.subList(0, max);
            return new Page(List.copyOf(page), Long.toString(page.get(max - 1).id()));
        }
        return new Page(rows, null);
    }

    private static String cut(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max - 1) + "…";
    }
}
