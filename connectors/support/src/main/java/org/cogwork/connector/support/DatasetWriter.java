package org.cogwork.connector.support;

import java.io.BufferedWriter;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Locale;
import java.util.Objects;
import java.util.zip.GZIPOutputStream;
import org.cogwork.api.data.DataType;
import org.cogwork.api.data.Field;
import org.cogwork.api.data.Row;
import org.cogwork.api.data.Schema;

/**
 * The byte side of a {@link org.cogwork.api.connector.DataSink} over files or objects, shared by the file and S3
 * connectors: which names may be written, and rows encoded into the bytes of a dataset (format and compression by
 * the name, as {@link Formats} reads them), counted and checksummed. Where the bytes go and how they are published
 * atomically is the connector's business. Stateless.
 */
public final class DatasetWriter {
    /** What {@link #write} produced: rows, stored bytes and their SHA-256 (lower-case hex). */
    public record Result(long rows, long bytes, String sha256) {
    }

    private DatasetWriter() {
    }

    /**
     * Checks that {@code dataset} may be written and returns the format its name says. A writable name is
     * relative and '/'-separated; no segment is empty, {@code .}, {@code ..} or starts with '.' (hidden names are
     * the connectors' own: temporary files, schema records); it holds no '\', ':' or control character (a Windows
     * path or drive, a header injection); it ends in .csv, .jsonl or .ndjson, optionally followed by .gz.
     *
     * @throws IllegalArgumentException naming the dataset and saying what is wrong
     */
    public static TextFormat checkName(String dataset) {
        if (dataset == null || dataset.isBlank()) {
            throw new IllegalArgumentException("dataset name is required");
        }
        String why = problem(dataset);
        if (why != null) {
            throw new IllegalArgumentException("dataset name '" + printable(dataset) + "' is not allowed: " + why
                    + "; use a relative name such as 'labels/batch-1.csv'");
        }
        TextFormat format = Formats.forName(dataset);
        if (format == null) {
            throw new IllegalArgumentException("dataset name '" + dataset + "' does not say its format: end it in .csv, "
                    + ".jsonl or .ndjson, optionally followed by .gz");
        }
        return format;
    }

    private static String problem(String name) {
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                return "it contains a control character";
            }
            if (c == '\\' || c == ':') {
                return "it contains '" + c + "'";
            }
        }
        if (name.startsWith("/")) {
            return "it is an absolute path";
        }
        for (String segment : name.split("/", -1)) {
            if (segment.isEmpty()) {
                return "it has an empty segment";
            }
            if (segment.equals(".") || segment.equals("..")) {
                return "it has a '" + segment + "' segment";
            }
            if (segment.startsWith(".")) {
                return "segment '" + segment + "' is hidden (starts with '.')";
            }
        }
        return null;
    }

    private static String printable(String s) {
        StringBuilder b = new StringBuilder();
        s.codePoints().forEach(c -> b.append(c < 0x20 || c == 0x7f ? String.format("\\u%04x", c) : Character.toString(c)));
        return b.toString();
    }

    /**
     * Checks that every column of {@code schema} has a text form.
     *
     * @throws IllegalArgumentException naming the dataset and the column
     */
    public static void checkSchema(String dataset, Schema schema) {
        Objects.requireNonNull(schema, "schema");
        for (Field f : schema.fields()) {
            if (f.type() == DataType.VECTOR) {
                throw new IllegalArgumentException("cannot write dataset '" + dataset + "': column '" + f.name()
                        + "' is a VECTOR, which CSV and JSON Lines cannot hold; write its source columns instead");
            }
        }
    }

    /**
     * Encodes {@code rows} as the dataset {@code dataset} (gzipped when its name ends in .gz) onto {@code out},
     * which is flushed and not closed. Each row is checked against {@code schema} before it is written.
     *
     * @throws IllegalArgumentException naming the dataset, the row (1-based) and the column of a row that does not
     *     match the schema
     * @throws IOException from {@code out}
     */
    public static Result write(OutputStream out, String dataset, Schema schema, Iterator<? extends Row> rows)
            throws IOException {
        TextFormat format = checkName(dataset);
        checkSchema(dataset, schema);
        Objects.requireNonNull(rows, "rows");
        Counting counting = new Counting(out);
        boolean gzip = dataset.toLowerCase(Locale.ROOT).endsWith(".gz");
        GZIPOutputStream gz = gzip ? new GZIPOutputStream(counting, 64 * 1024) : null;
        Writer text = new BufferedWriter(new OutputStreamWriter(gzip ? gz : counting, StandardCharsets.UTF_8), 64 * 1024);
        RowWriter writer = format.writer(text, schema);
        RowCheck check = new RowCheck(dataset, schema);
        long n = 0;
        while (rows.hasNext()) {
            Row r = rows.next();
            check.check(r, ++n);
            writer.write(r);
        }
        writer.flush();
        text.flush();
        if (gz != null) {
            gz.finish();
        }
        counting.flush();
        return new Result(n, counting.count, HexFormat.of().formatHex(counting.sha.digest()));
    }

    /** Checks rows against the schema, remembering the last row schema found to match (rows share one). */
    private static final class RowCheck {
        private final String dataset;
        private final Schema schema;
        private Schema matching;

        RowCheck(String dataset, Schema schema) {
            this.dataset = dataset;
            this.schema = schema;
            this.matching = schema;
        }

        void check(Row r, long n) {
            if (r == null) {
                throw bad(n, "it is null");
            }
            Schema s = r.schema();
            if (s != matching) {
                if (!sameColumns(s)) {
                    throw bad(n, "its columns " + columns(s) + " differ from the schema's " + columns(schema));
                }
                matching = s;
            }
            for (int i = 0; i < schema.size(); i++) {
                Field f = schema.fields().get(i);
                Object v = r.get(i);
                if (v == null) {
                    if (!f.nullable()) {
                        throw bad(n, "column '" + f.name() + "' is not nullable but the value is missing");
                    }
                } else if (!Values.fits(v, f.type())) {
                    throw bad(n, "column '" + f.name() + "' of type " + f.type() + " needs a " + Values.javaType(f.type())
                            + ", found a " + v.getClass().getSimpleName());
                }
            }
        }

        private boolean sameColumns(Schema s) {
            if (s.size() != schema.size()) {
                return false;
            }
            for (int i = 0; i < s.size(); i++) {
                Field a = s.fields().get(i);
                Field b = schema.fields().get(i);
                if (!a.name().equals(b.name()) || a.type() != b.type()) {
                    return false;
                }
            }
            return true;
        }

        private static String columns(Schema s) {
            return s.fields().stream().map(f -> f.name() + ":" + f.type()).toList().toString();
        }

        private IllegalArgumentException bad(long n, String why) {
            return new IllegalArgumentException("cannot write dataset '" + dataset + "': row " + n + ": " + why);
        }
    }

    /** Counts and digests the bytes that reach the store. */
    private static final class Counting extends FilterOutputStream {
        final MessageDigest sha;
        long count;

        Counting(OutputStream out) {
            super(out);
            try {
                this.sha = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("every Java platform has SHA-256", e);
            }
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            sha.update((byte) b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            sha.update(b, off, len);
            count += len;
        }
    }
}
