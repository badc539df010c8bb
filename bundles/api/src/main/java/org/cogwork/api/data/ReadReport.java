package org.cogwork.api.data;

import java.util.List;

/**
 * What happened to bad input during one pass over a dataset: nothing malformed is dropped silently.
 *
 * @param rowsRead rows delivered to the reader
 * @param rowsSkipped malformed rows left out (policy {@code skip}, or rows of the wrong width)
 * @param cellsNulled unparseable cells turned into missing values (policy {@code null})
 * @param problems the first problems found, each with its line (1-based, as an editor shows it)
 */
public record ReadReport(long rowsRead, long rowsSkipped, long cellsNulled, List<Problem> problems) {
    public ReadReport {
        problems = List.copyOf(problems);
    }

    public static final ReadReport EMPTY = new ReadReport(0, 0, 0, List.of());

    /** One malformed row or cell. {@code column} is {@code null} for a problem with the whole row. */
    public record Problem(long line, String column, String message) {
    }
}
