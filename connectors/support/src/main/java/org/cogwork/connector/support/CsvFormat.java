package org.cogwork.connector.support;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVPrinter;
import org.apache.commons.csv.CSVRecord;
import org.cogwork.api.data.DataType;
import org.cogwork.api.data.MalformedDataException;
import org.cogwork.api.data.ReadReport;
import org.cogwork.api.data.Row;
import org.cogwork.api.data.RowCursor;
import org.cogwork.api.data.Schema;

/**
 * RFC 4180 CSV with a header row (Apache Commons CSV): quoted fields, embedded commas, quotes and newlines.
 * An empty field is a missing value. Blank lines are ignored. An unbalanced quote cannot be recovered from
 * (it swallows the rest of the input), so it ends the read with the line where the broken record starts.
 *
 * <p>Written with a header row, values in the text {@link Values#format} gives, a missing value as an empty field.
 * An empty string therefore reads back as a missing value: CSV cannot tell them apart.
 */
public final class CsvFormat implements TextFormat {
    public static final CsvFormat INSTANCE = new CsvFormat();
    private static final CSVFormat FORMAT = CSVFormat.RFC4180.builder().setIgnoreEmptyLines(true).get();
    /** RFC 4180 with a header, fields quoted only when they must be, '\n' between records. */
    private static final CSVFormat WRITE = CSVFormat.RFC4180.builder().setRecordSeparator('\n').get();

    private CsvFormat() {
    }

    @Override
    public String name() {
        return "csv";
    }

    @Override
    public Schema infer(Reader in, int sampleRows, Map<String, DataType> overrides) throws IOException {
        try (CSVParser parser = FORMAT.parse(in)) {
            Iterator<CSVRecord> it = parser.iterator();
            List<String> header = header(it);
            TypeInference inference = new TypeInference(header);
            for (int n = 0; n < sampleRows && hasNext(it, parser.getCurrentLineNumber() + 1); n++) {
                CSVRecord r = it.next();
                if (r.size() != header.size()) {
                    continue;
                }
                for (int i = 0; i < header.size(); i++) {
                    String v = r.get(i);
                    inference.accept(i, v.isEmpty() ? null : v);
                }
            }
            return inference.schema(overrides);
        }
    }

    private static List<String> header(Iterator<CSVRecord> it) {
        if (!it.hasNext()) {
            throw new MalformedDataException(1, null, "empty input: a header row is required");
        }
        List<String> header = new ArrayList<>(it.next().toList());
        for (int i = 0; i < header.size(); i++) {
            if (header.get(i).isBlank()) {
                throw new MalformedDataException(1, null, "header field " + (i + 1) + " is empty");
            }
        }
        return header;
    }

    /** Advances; a broken record is reported at {@code startLine}, the line where it begins. */
    private static boolean hasNext(Iterator<CSVRecord> it, long startLine) {
        try {
            return it.hasNext();
        } catch (UncheckedIOException e) {
            throw new MalformedDataException(startLine, null, "unreadable CSV record (an unbalanced quote?): "
                    + e.getCause().getMessage());
        }
    }

    @Override
    public RowCursor open(Reader in, Schema schema, OnError policy) throws IOException {
        CSVParser parser = FORMAT.parse(in);
        try {
            return new Cursor(parser, schema, new Reporter(policy));
        } catch (RuntimeException e) {
            parser.close();
            throw e;
        }
    }

    @Override
    public RowWriter writer(Writer out, Schema schema) throws IOException {
        CSVPrinter printer = new CSVPrinter(out, WRITE);
        for (org.cogwork.api.data.Field f : schema.fields()) {
            printer.print(f.name());
        }
        printer.println();
        List<DataType> types = schema.fields().stream().map(org.cogwork.api.data.Field::type).toList();
        return new RowWriter() {
            @Override
            public void write(Row row) throws IOException {
                for (int i = 0; i < types.size(); i++) {
                    Object v = row.get(i);
                    // "" rather than null: Commons CSV quotes an empty first field (printing null it would not), so a
                    // row of one missing value is the line "" and not a blank line the reader skips
                    printer.print(v == null ? "" : Values.format(v, types.get(i)));
                }
                printer.println();
            }

            @Override
            public void flush() throws IOException {
                printer.flush();
            }
        };
    }

    private static final class Cursor implements RowCursor {
        private final CSVParser parser;
        private final Iterator<CSVRecord> records;
        private final Schema schema;
        private final Reporter reporter;
        private final int width;
        /** For each schema field, its position in the file's header. */
        private final int[] positions;
        private long lastLine;
        private Row next;

        Cursor(CSVParser parser, Schema schema, Reporter reporter) {
            this.parser = parser;
            this.records = parser.iterator();
            this.schema = schema;
            this.reporter = reporter;
            List<String> header = header(records);
            this.width = header.size();
            this.positions = new int[schema.size()];
            for (int i = 0; i < schema.size(); i++) {
                String name = schema.fields().get(i).name();
                positions[i] = header.indexOf(name);
                if (positions[i] < 0) {
                    throw new MalformedDataException(1, name, "column is missing from the header " + header);
                }
            }
            this.lastLine = parser.getCurrentLineNumber();
        }

        @Override
        public boolean hasNext() {
            while (next == null && CsvFormat.hasNext(records, lastLine + 1)) {
                CSVRecord r = records.next();
                long line = lastLine + 1;
                lastLine = parser.getCurrentLineNumber();
                next = toRow(r, line);
            }
            return next != null;
        }

        private Row toRow(CSVRecord r, long line) {
            if (r.size() != width) {
                reporter.badRow(line, "expected " + width + " fields, found " + r.size());
                return null;
            }
            Object[] values = new Object[positions.length];
            for (int i = 0; i < positions.length; i++) {
                String cell = r.get(positions[i]);
                if (cell.isEmpty()) {
                    continue;
                }
                DataType type = schema.fields().get(i).type();
                try {
                    values[i] = Values.parse(cell, type);
                } catch (IllegalArgumentException e) {
                    if (!reporter.badCell(line, schema.fields().get(i).name(), e.getMessage())) {
                        return null;
                    }
                }
            }
            reporter.rowRead();
            return new Row(schema, values);
        }

        @Override
        public Row next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            Row r = next;
            next = null;
            return r;
        }

        @Override
        public ReadReport report() {
            return reporter.report();
        }

        @Override
        public void close() {
            try {
                parser.close();
            } catch (IOException e) {
                // closing a reader we only read from: nothing is lost
            }
        }
    }
}
