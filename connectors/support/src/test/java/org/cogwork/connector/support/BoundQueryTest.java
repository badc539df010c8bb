package org.cogwork.connector.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.cogwork.api.data.DataType;
import org.cogwork.api.data.Field;
import org.cogwork.api.data.Row;
import org.cogwork.api.data.RowCursor;
import org.cogwork.api.data.Schema;
import org.cogwork.api.query.Filter;
import org.cogwork.api.query.Query;
import org.junit.jupiter.api.Test;

class BoundQueryTest {
    private final Schema schema = Schema.of(Field.of("name", DataType.CATEGORICAL), Field.of("n", DataType.INT),
            Field.of("x", DataType.DOUBLE));
    private final String csv = "name,n,x\na,1,0.5\nb,,1.5\nc,3,\nd,4,4.5\n";

    private List<Row> run(Query q) throws IOException {
        BoundQuery b = BoundQuery.bind(q, schema);
        List<Row> out = new ArrayList<>();
        try (RowCursor c = b.apply(CsvFormat.INSTANCE.open(new StringReader(csv), schema, OnError.FAIL))) {
            c.forEachRemaining(out::add);
        }
        return out;
    }

    private static Query where(Filter f) {
        return new Query(List.of("name"), f, List.of(), null, 0);
    }

    private static List<Object> names(List<Row> rows) {
        return rows.stream().map(r -> r.get(0)).toList();
    }

    @Test
    void threeValuedLogicLikeSql() throws IOException {
        assertEquals(List.of("c", "d"), names(run(where(new Filter.Compare("n", Filter.Op.GT, 2)))));
        assertEquals(List.of("a", "c", "d"), names(run(where(new Filter.Compare("n", Filter.Op.NE, 2)))),
                "a missing value is never != anything");
        assertEquals(List.of("a"), names(run(where(new Filter.Not(new Filter.Compare("n", Filter.Op.GE, 2))))),
                "NOT(unknown) is unknown");
        assertEquals(List.of("a", "b"), names(run(where(Filter.or(new Filter.Compare("n", Filter.Op.LT, 2),
                new Filter.Compare("x", Filter.Op.EQ, 1.5))))));
        assertEquals(List.of("b"), names(run(where(new Filter.IsNull("n", false)))));
        assertEquals(List.of("a", "c", "d"), names(run(where(new Filter.IsNull("n", true)))));
        assertEquals(List.of("a", "d"), names(run(where(new Filter.In("n", List.of(1, 4L, "4"))))));
    }

    @Test
    void orderPutsMissingLastAndPagesWithOffset() throws IOException {
        Query byNDesc = new Query(List.of("name"), null, List.of(new Query.Order("n", true)), null, 0);
        assertEquals(List.of("d", "c", "a", "b"), names(run(byNDesc)));
        Query page = new Query(List.of("name"), null, List.of(new Query.Order("x", false)), 2L, 1);
        assertEquals(List.of("b", "d"), names(run(page)));
        Query streamed = new Query(List.of("name", "x"), null, List.of(), 2L, 1);
        List<Row> rows = run(streamed);
        assertEquals(List.of("b", "c"), names(rows));
        assertEquals(2, rows.get(0).schema().size());
    }

    @Test
    void mistakesNameTheColumn() {
        assertEquals("unknown column 'age' in where; columns are [name, n, x]", assertThrows(IllegalArgumentException.class,
                () -> BoundQuery.bind(where(Filter.eq("age", 3)), schema)).getMessage());
        assertEquals("unknown column 'nme' in select; columns are [name, n, x]", assertThrows(IllegalArgumentException.class,
                () -> BoundQuery.bind(new Query(List.of("nme"), null, List.of(), null, 0), schema)).getMessage());
        assertEquals("value 'ten' does not match column 'n' of type INT", assertThrows(IllegalArgumentException.class,
                () -> BoundQuery.bind(where(Filter.eq("n", "ten")), schema)).getMessage());
        assertEquals("value 3 does not match column 'name' of type CATEGORICAL", assertThrows(IllegalArgumentException.class,
                () -> BoundQuery.bind(where(Filter.eq("name", 3L)), schema)).getMessage());
    }

    @Test
    void jsonLinesReadsTheSameModel() throws IOException {
        String jsonl = "{\"name\":\"a\",\"n\":1,\"x\":0.5}\n{\"name\":\"b\",\"x\":1.5}\nnot json\n{\"name\":\"c\",\"n\":2.5}\n";
        Schema s = JsonLinesFormat.INSTANCE.infer(new StringReader(jsonl), 100, Map.of("n", DataType.INT));
        assertEquals(List.of("name", "n", "x"), s.fields().stream().map(Field::name).toList());
        assertEquals(DataType.DOUBLE, s.require("x").type());
        try (RowCursor c = JsonLinesFormat.INSTANCE.open(new StringReader(jsonl), s, OnError.SKIP)) {
            List<Row> rows = new ArrayList<>();
            c.forEachRemaining(rows::add);
            assertEquals(2, rows.size());
            assertEquals(List.of(3L, 4L), c.report().problems().stream().map(p -> p.line()).toList());
        }
    }

    @Test
    void gzippedFilesAreReadTransparently() throws IOException {
        java.nio.file.Path gz = Files.createTempFile("credit", ".csv.gz");
        try (var out = new java.util.zip.GZIPOutputStream(Files.newOutputStream(gz))) {
            Files.copy(CsvFormatTest.DATA.resolve("credit_data.csv"), out);
        }
        Schema s = CsvFormat.INSTANCE.infer(Formats.reader(Files.newInputStream(gz), gz.toString()), 100, Map.of());
        assertEquals(DataType.CATEGORICAL, s.require("Status").type());
        Files.delete(gz);
    }
}
