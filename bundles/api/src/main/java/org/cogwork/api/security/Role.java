package org.cogwork.api.security;

import java.util.Locale;
import org.cogwork.api.problem.InvalidFieldException;

/**
 * What a principal may do. {@link #ADMIN} may do everything; the others are granted per route.
 * <ul>
 * <li>{@code admin}: everything, including bundles, configuration, users, tokens and the audit log;</li>
 * <li>{@code data-scientist}: sources, trainings, runs, models, traffic, predictions;</li>
 * <li>{@code annotator}: the annotation queue and the items it shows;</li>
 * <li>{@code integrator}: predict, schema, feedback;</li>
 * <li>{@code metrics}: {@code GET /metrics} only, for a Prometheus server's token (since 0.4).</li>
 * </ul>
 */
public enum Role {
    ADMIN, DATA_SCIENTIST, ANNOTATOR, INTEGRATOR, METRICS;

    /** The name clients see and send: {@code admin}, {@code data-scientist}, {@code annotator}, {@code integrator}, {@code metrics}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The role named {@code id}; a 400 naming {@code field} otherwise. */
    public static Role parse(String field, String id) {
        for (Role r : values()) {
            if (r.id().equals(id)) {
                return r;
            }
        }
        throw new InvalidFieldException(field, "unknown role '" + (id == null ? "" : id.length() > 40 ? id.substring(0, 40) + "…" : id)
                + "': expected admin, data-scientist, annotator, integrator or metrics");
    }
}
