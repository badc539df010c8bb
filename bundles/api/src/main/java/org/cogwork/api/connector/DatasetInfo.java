package org.cogwork.api.connector;

/**
 * A dataset a source offers: a table, a file, an object prefix.
 *
 * @param name name used in queries, unique within the source
 * @param rowCount number of rows when cheaply known, otherwise {@code null}
 */
public record DatasetInfo(String name, Long rowCount) {
}
