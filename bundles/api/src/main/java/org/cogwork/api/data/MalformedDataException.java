package org.cogwork.api.data;

/**
 * Input that cannot be read under the source's bad-row policy {@code fail}: says where (line, column) and why.
 * Thrown from {@link RowCursor#next()}; the REST layer answers 422 with the line.
 */
public class MalformedDataException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final long line;
    private final String column;

    public MalformedDataException(long line, String column, String message) {
        super("line " + line + (column == null ? "" : ", column '" + column + "'") + ": " + message);
        this.line = line;
        this.column = column;
    }

    /** 1-based line of the input where the bad row starts. */
    public long line() {
        return line;
    }

    /** The column at fault, or {@code null} for the whole row. */
    public String column() {
        return column;
    }
}
