package org.cogwork.connector.support;

import java.util.ArrayList;
import java.util.List;
import org.cogwork.api.data.MalformedDataException;
import org.cogwork.api.data.ReadReport;

/** Counts bad input for one pass and applies the policy. Confined to the reading thread. */
public final class Reporter {
    /** How many problems a report lists; the counts go on beyond. */
    public static final int MAX_PROBLEMS = 100;

    private final OnError policy;
    private final List<ReadReport.Problem> problems = new ArrayList<>();
    private long rowsRead;
    private long rowsSkipped;
    private long cellsNulled;

    public Reporter(OnError policy) {
        this.policy = policy;
    }

    public OnError policy() {
        return policy;
    }

    public void rowRead() {
        rowsRead++;
    }

    /** A row that cannot be used at all (wrong width, broken JSON): fail, or skip it. */
    public void badRow(long line, String message) {
        if (policy == OnError.FAIL) {
            throw new MalformedDataException(line, null, message);
        }
        rowsSkipped++;
        note(line, null, message);
    }

    /**
     * A cell that does not parse as its column's type.
     *
     * @return {@code true} when the cell becomes a missing value, {@code false} when the row is to be skipped
     */
    public boolean badCell(long line, String column, String message) {
        switch (policy) {
            case FAIL -> throw new MalformedDataException(line, column, message);
            case NULL -> {
                cellsNulled++;
                note(line, column, message);
                return true;
            }
            default -> {
                rowsSkipped++;
                note(line, column, message);
                return false;
            }
        }
    }

    private void note(long line, String column, String message) {
        if (problems.size() < MAX_PROBLEMS) {
            problems.add(new ReadReport.Problem(line, column, message));
        }
    }

    public ReadReport report() {
        return new ReadReport(rowsRead, rowsSkipped, cellsNulled, problems);
    }
}
