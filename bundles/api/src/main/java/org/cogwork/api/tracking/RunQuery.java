package org.cogwork.api.tracking;

import java.util.List;

/**
 * A run search, as MLflow's {@code runs/search} expresses it.
 *
 * @param experimentIds experiments to search, never empty
 * @param filter MLflow filter syntax subset: clauses joined by {@code and}, each
 *     {@code metrics.<key> <op> <number>}, {@code params.<key> <op> '<string>'}, {@code tags.<key> <op> '<string>'}
 *     or {@code attributes.<status|run_name|start_time|end_time> <op> <value>}, with ops {@code = != < <= > >=};
 *     {@code null} or blank for all runs
 * @param orderBy e.g. {@code ["metrics.accuracy DESC", "attributes.start_time"]}; default newest first
 * @param maxResults page size, 1..50000
 * @param pageToken opaque token from a previous page, or {@code null}
 * @param includeDeleted whether deleted runs are included
 */
public record RunQuery(List<String> experimentIds, String filter, List<String> orderBy, int maxResults, String pageToken,
                       boolean includeDeleted) {
    public RunQuery {
        experimentIds = List.copyOf(experimentIds);
        orderBy = orderBy == null ? List.of() : List.copyOf(orderBy);
    }
}
