package org.cogwork.connector.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.cogwork.api.data.DataType;
import org.cogwork.api.data.MalformedDataException;
import org.cogwork.api.data.ReadReport;
import org.cogwork.api.data.Row;
import org.cogwork.api.data.RowCursor;
import org.cogwork.api.data.Schema;
import org.junit.jupiter.api.Test;

class CsvFormatTest {
    static final Path DATA = Path.of("../../../shared/data");

    @Test
    void infersTheTypesOfCreditData() throws IOException {
        Schema s = infer(DATA.resolve("credit_data.csv"), Map.of());
        assertEquals(DataType.CATEGORICAL, s.require("Status").type());
        assertEquals(DataType.INT, s.require("Seniority").type());
        assertEquals(DataType.CATEGORICAL, s.require("Home").type());
        assertEquals(DataType.INT, s.require("Income").type(), "missing values do not spoil inference");
        assertEquals(DataType.DOUBLE, infer(DATA.resolve("concrete.csv"), Map.of()).require("cement").type().isNumeric()
                ? DataType.DOUBLE : null);
        Schema imdb = infer(DATA.resolve("imdb_reviews_2k.csv"), Map.of("id", DataType.STRING));
        assertEquals(DataType.TEXT, imdb.require("review").type());
        assertEquals(DataType.CATEGORICAL, imdb.require("sentiment").type());
        assertEquals(DataType.STRING, imdb.require("id").type(), "override wins");
        assertEquals(DataType.DATE, infer(DATA.resolve("chicago_ridership.csv"), Map.of()).require("date").type());
    }

    @Test
    void readsEveryCreditRowWithMissingValuesAsNull() throws IOException {
        Schema s = infer(DATA.resolve("credit_data.csv"), Map.of());
        List<Row> rows = new ArrayList<>();
        try (RowCursor c = CsvFormat.INSTANCE.open(Formats.reader(Files.newInputStream(DATA.resolve("credit_data.csv")), "x.csv"),
                s, OnError.FAIL)) {
            c.forEachRemaining(rows::add);
            assertEquals(new ReadReport(4454, 0, 0, List.of()), c.report());
        }
        assertEquals(4454, rows.size());
        assertEquals(381, rows.stream().filter(r -> r.get("Income") == null).count(), "381 missing incomes (data README)");
        assertEquals(3200, rows.stream().filter(r -> "good".equals(r.get("Status"))).count());
        assertEquals(9L, rows.get(0).get("Seniority"));
    }

    @Test
    void rfc4180QuotingEmbeddedNewlinesAndBom() throws IOException {
        String csv = "\uFEFFid,text,score\r\n1,\"a, b\",2.5\r\n2,\"line one\nline \"\"two\"\"\",3\r\n\r\n3,,4\r\n";
        Reader r = Formats.reader(new ByteArrayInputStream(csv.getBytes(StandardCharsets.UTF_8)), "t.csv");
        Schema s = Schema.of(org.cogwork.api.data.Field.of("id", DataType.INT),
                org.cogwork.api.data.Field.of("text", DataType.STRING), org.cogwork.api.data.Field.of("score", DataType.DOUBLE));
        List<Row> rows = new ArrayList<>();
        try (RowCursor c = CsvFormat.INSTANCE.open(r, s, OnError.FAIL)) {
            c.forEachRemaining(rows::add);
        }
        assertEquals(3, rows.size());
        assertEquals("a, b", rows.get(0).get("text"));
        assertEquals("line one\nline \"two\"", rows.get(1).get("text"));
        assertEquals(1L, rows.get(0).get("id"), "the BOM is not part of the first header name");
        assertNull(rows.get(2).get("text"));
    }

    @Test
    void badRowsAreCountedWithTheirLinesUnderEachPolicy() throws IOException {
        String csv = "a,b\n1,x\n2\n\"multi\nline\",3\nfour,4\n5,5\n";
        Schema s = Schema.of(org.cogwork.api.data.Field.of("a", DataType.INT), org.cogwork.api.data.Field.of("b", DataType.STRING));

        MalformedDataException fail = assertThrows(MalformedDataException.class, () -> readAll(csv, s, OnError.FAIL));
        assertEquals(3, fail.line());
        assertTrue(fail.getMessage().contains("expected 2 fields, found 1"), fail.getMessage());

        ReadReport skip = readAll(csv, s, OnError.SKIP);
        assertEquals(2, skip.rowsRead());
        assertEquals(3, skip.rowsSkipped());
        assertEquals(List.of(3L, 4L, 6L), skip.problems().stream().map(ReadReport.Problem::line).toList());
        assertEquals("a", skip.problems().get(1).column());
        assertEquals("'multi\nline' is not an integer", skip.problems().get(1).message());

        ReadReport nulls = readAll(csv, s, OnError.NULL);
        assertEquals(4, nulls.rowsRead());
        assertEquals(1, nulls.rowsSkipped(), "a row of the wrong width cannot be nulled");
        assertEquals(2, nulls.cellsNulled());
    }

    @Test
    void unbalancedQuoteEndsTheReadWithItsLine() {
        String csv = "a,b\n1,2\n3,\"open\n4,5\n";
        Schema s = Schema.of(org.cogwork.api.data.Field.of("a", DataType.INT), org.cogwork.api.data.Field.of("b", DataType.STRING));
        MalformedDataException e = assertThrows(MalformedDataException.class, () -> readAll(csv, s, OnError.SKIP));
        assertEquals(3, e.line(), e.getMessage());
    }

    @Test
    void overrideOfAnUnknownColumnIsNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> infer(DATA.resolve("credit_data.csv"), Map.of("Salary", DataType.INT)));
        assertTrue(e.getMessage().startsWith("type override names unknown column 'Salary'"), e.getMessage());
        assertEquals("types: unknown type 'NUMBER' for column 'Age'; use one of [INT, DOUBLE, BOOLEAN, STRING, TEXT, CATEGORICAL, DATE, TIMESTAMP]",
                assertThrows(IllegalArgumentException.class, () -> TypeInference.parseOverrides("Age:NUMBER", "types")).getMessage());
    }

    static ReadReport readAll(String csv, Schema s, OnError policy) throws IOException {
        try (RowCursor c = CsvFormat.INSTANCE.open(new StringReader(csv), s, policy)) {
            c.forEachRemaining(r -> { });
            return c.report();
        }
    }

    static Schema infer(Path file, Map<String, DataType> overrides) throws IOException {
        return CsvFormat.INSTANCE.infer(Formats.reader(Files.newInputStream(file), file.toString()), 10_000, overrides);
    }
}
