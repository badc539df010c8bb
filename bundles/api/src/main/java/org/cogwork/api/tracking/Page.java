package org.cogwork.api.tracking;

import java.util.List;

/** One page of results and the token for the next page ({@code null} on the last page). */
public record Page<T>(List<T> items, String nextPageToken) {
    public Page {
        items = List.copyOf(items);
    }
}
