package org.cogwork.connector.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.cogwork.api.data.DataType;
import org.cogwork.api.data.Field;
import org.cogwork.api.data.Row;
import org.cogwork.api.data.RowCursor;
import org.cogwork.api.data.Schema;
import org.cogwork.api.data.Vector;
import org.junit.jupiter.api.Test;

class DatasetWriterTest {
    static final Schema ALL = new Schema(List.of(new Field("id", DataType.INT, false), Field.of("x", DataType.DOUBLE),
            Field.of("ok", DataType.BOOLEAN), Field.of("code", DataType.STRING), Field.of("review", DataType.TEXT),
            Field.of("label", DataType.CATEGORICAL), Field.of("day", DataType.DATE), Field.of("at", DataType.TIMESTAMP)));

    /** Values CSV and JSON Lines must carry exactly: quoting, line breaks, unicode, extreme numbers, missing values. */
    static List<Row> tricky() {
        return List.of(
                new Row(ALL, 1L, 0.1, true, "007", "said \"hi\", then left\nand came back", "0",
                        LocalDate.of(2024, 2, 29), Instant.parse("2024-01-02T03:04:05.123456789Z")),
                new Row(ALL, Long.MIN_VALUE, Double.NaN, false, " padded ", "ünïcødé, 日本語 \u2028 tab\there", "1",
                        LocalDate.of(1, 1, 1), Instant.EPOCH),
                new Row(ALL, Long.MAX_VALUE, Double.NEGATIVE_INFINITY, null, null, null, null, null, null),
                new Row(ALL, 0L, -0.0, true, "a,b", "\"", "1", LocalDate.of(9999, 12, 31), Instant.parse("1969-12-31T23:59:59Z")),
                new Row(ALL, 42L, 1e300, null, "x", "line\r\nbreak", "0", null, null));
    }

    static byte[] write(String name, Schema schema, List<Row> rows) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        DatasetWriter.Result r = DatasetWriter.write(out, name, schema, rows.iterator());
        byte[] bytes = out.toByteArray();
        assertEquals(rows.size(), r.rows());
        assertEquals(bytes.length, r.bytes());
        assertEquals(sha256(bytes), r.sha256());
        return bytes;
    }

    static List<Row> read(String name, Schema schema, byte[] bytes) throws IOException {
        List<Row> rows = new ArrayList<>();
        try (RowCursor c = Formats.forName(name).open(Formats.reader(new ByteArrayInputStream(bytes), name), schema, OnError.FAIL)) {
            c.forEachRemaining(rows::add);
        }
        return rows;
    }

    static String sha256(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void everyTypeRoundTripsThroughEveryFormat() throws IOException {
        for (String name : List.of("t.csv", "t.csv.gz", "t.jsonl", "t.ndjson.gz")) {
            byte[] bytes = write(name, ALL, tricky());
            assertEquals(tricky(), read(name, ALL, bytes), name);
        }
        assertEquals(0x1f, write("t.csv.gz", ALL, tricky())[0] & 0xff, "gzip magic");
        List<String> lines = new String(write("t.jsonl", ALL, tricky()), StandardCharsets.UTF_8).lines().toList();
        assertEquals(5, lines.size(), "one object per line, line breaks inside values escaped");
        assertEquals("{\"id\":42,\"x\":1.0E300,\"ok\":null,\"code\":\"x\",\"review\":\"line\\r\\nbreak\",\"label\":\"0\","
                + "\"day\":null,\"at\":null}", lines.get(4));
    }

    @Test
    void csvKeepsRowsOfOneMissingValueAndReadsEmptyStringsAsMissing() throws IOException {
        Schema one = Schema.of(Field.of("label", DataType.STRING));
        List<Row> rows = List.of(new Row(one, "a"), new Row(one, (Object) null), new Row(one, "b"), new Row(one, (Object) null));
        byte[] csv = write("one.csv", one, rows);
        assertEquals(rows, read("one.csv", one, csv), "a missing value is not a blank line the reader skips");
        assertEquals(List.of(new Row(one, (Object) null)), read("e.csv", one, write("e.csv", one, List.of(new Row(one, "")))),
                "CSV cannot tell an empty string from a missing value (documented)");
        assertEquals(List.of(new Row(one, "")), read("e.jsonl", one, write("e.jsonl", one, List.of(new Row(one, "")))),
                "JSON Lines can");
    }

    @Test
    void anEmptyDatasetHasItsHeader() throws IOException {
        byte[] csv = write("empty.csv", ALL, List.of());
        assertEquals("id,x,ok,code,review,label,day,at\n", new String(csv, StandardCharsets.UTF_8));
        assertEquals(List.of(), read("empty.csv", ALL, csv));
        assertEquals(0, write("empty.jsonl", ALL, List.of()).length);
    }

    @Test
    void rowsThatDoNotMatchTheSchemaAreRefusedNamingRowAndColumn() {
        Schema s = new Schema(List.of(new Field("id", DataType.INT, false), Field.of("label", DataType.CATEGORICAL)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> write("d.csv", s,
                List.of(new Row(s, 1L, "a"), new Row(s, 2, "b"))));
        assertEquals("cannot write dataset 'd.csv': row 2: column 'id' of type INT needs a Long, found a Integer", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> write("d.csv", s, List.of(new Row(s, null, "a"))));
        assertTrue(e.getMessage().contains("row 1: column 'id' is not nullable"), e.getMessage());
        Schema other = Schema.of(Field.of("id", DataType.INT), Field.of("name", DataType.CATEGORICAL));
        e = assertThrows(IllegalArgumentException.class, () -> write("d.csv", s, List.of(new Row(s, 1L, "a"), new Row(other, 2L, "b"))));
        assertTrue(e.getMessage().contains("row 2: its columns [id:INT, name:CATEGORICAL] differ"), e.getMessage());
        Schema nullable = Schema.of(Field.of("id", DataType.INT), Field.of("label", DataType.CATEGORICAL));
        assertTrue(assertDoesNotThrow(() -> write("d.csv", s, List.of(new Row(nullable, 3L, "c")))).length > 0,
                "a row's schema may differ in nullability only");
        Schema vec = Schema.of(Field.of("v", DataType.VECTOR));
        e = assertThrows(IllegalArgumentException.class, () -> write("d.jsonl", vec, List.of(new Row(vec, Vector.dense(new double[] {1})))));
        assertTrue(e.getMessage().contains("column 'v' is a VECTOR"), e.getMessage());
    }

    private static <T> T assertDoesNotThrow(org.junit.jupiter.api.function.ThrowingSupplier<T> s) {
        return org.junit.jupiter.api.Assertions.assertDoesNotThrow(s);
    }

    @Test
    void hostileNamesAreRefusedNamingTheDataset() {
        for (String bad : List.of("../x.csv", "a/../../x.csv", "/etc/x.csv", "a//b.csv", "./x.csv", "a/./x.csv", "x.csv/",
                ".hidden.csv", "a/.x.csv.1-2.schema.json", "..\\x.csv", "C:/x.csv", "x\u0000.csv", "x\n.csv", "x.txt", "x.csv.zip",
                "labels/.csv")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DatasetWriter.checkName(bad), bad);
            String shown = bad.replace("\u0000", "\\u0000").replace("\n", "\\u000a");
            assertTrue(e.getMessage().contains("'" + shown + "'"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> DatasetWriter.checkName(" "));
        assertThrows(IllegalArgumentException.class, () -> DatasetWriter.checkName(null));
        assertSame(CsvFormat.INSTANCE, DatasetWriter.checkName("labels/round-3/batch 1.csv.gz"));
        assertSame(JsonLinesFormat.INSTANCE, DatasetWriter.checkName("a.b.NDJSON"));
    }

    @Test
    void theIteratorsExceptionComesOutUnchanged() {
        IllegalStateException boom = new IllegalStateException("labeller crashed");
        java.util.Iterator<Row> rows = new java.util.Iterator<>() {
            int n;

            @Override
            public boolean hasNext() {
                return true;
            }

            @Override
            public Row next() {
                if (++n > 3) {
                    throw boom;
                }
                return tricky().get(0);
            }
        };
        assertSame(boom, assertThrows(IllegalStateException.class,
                () -> DatasetWriter.write(new ByteArrayOutputStream(), "x.csv", ALL, rows)));
    }

    @Test
    void schemaRecordsRoundTripAndRefuseWhatIsNotOne() throws IOException {
        assertEquals(ALL, SchemaRecord.decode(SchemaRecord.encode(ALL)));
        assertFalse(SchemaRecord.decode(SchemaRecord.encode(ALL)).fields().get(0).nullable());
        for (String bad : List.of("{}", "[]", "{\"cogwork.schema\":2,\"fields\":[]}",
                "{\"cogwork.schema\":1,\"fields\":[{\"name\":\"a\",\"type\":\"NOPE\",\"nullable\":true}]}",
                "{\"cogwork.schema\":1,\"fields\":[{\"name\":\"a\",\"type\":\"INT\"}]}",
                "{\"cogwork.schema\":1,\"fields\":[{\"name\":\"a\",\"type\":\"INT\",\"nullable\":true},{\"name\":\"a\",\"type\":\"INT\",\"nullable\":true}]}",
                "not json")) {
            assertThrows(IOException.class, () -> SchemaRecord.decode(bad.getBytes(StandardCharsets.UTF_8)), bad);
        }
        assertEquals(".a.csv.12-34.schema.json", SchemaRecord.sidecar("a.csv", "12-34"));
        assertTrue(SchemaRecord.isSidecarOf(".a.csv.12-34.schema.json", "a.csv"));
        assertFalse(SchemaRecord.isSidecarOf(".a.csv.gz.12-34.schema.json", "a.csv"), "a.csv.gz's record is not a.csv's");
        assertFalse(SchemaRecord.isSidecarOf(".a.csv..schema.json", "a.csv"));
        assertThrows(IllegalArgumentException.class, () -> SchemaRecord.sidecar("a.csv", "../../x"));
        assertFalse(SchemaRecord.isToken("0/../x"));
        assertTrue(SchemaRecord.isToken(java.util.UUID.randomUUID().toString()));
    }
}
