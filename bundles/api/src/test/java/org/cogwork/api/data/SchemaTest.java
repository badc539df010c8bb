package org.cogwork.api.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.cogwork.api.query.Query;
import org.junit.jupiter.api.Test;

class SchemaTest {
    private final Schema schema = Schema.of(Field.of("Status", DataType.CATEGORICAL), Field.of("Age", DataType.INT));

    @Test
    void looksUpFieldsByName() {
        assertEquals(1, schema.indexOf("Age"));
        assertEquals(-1, schema.indexOf("age"), "names are case-sensitive");
        assertEquals(DataType.INT, schema.require("Age").type());
    }

    @Test
    void namesTheUnknownColumn() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> schema.require("Income"));
        assertEquals("unknown column: Income", e.getMessage());
        Row row = new Row(schema, "good", 30L);
        assertEquals(30L, row.get("Age"));
        assertEquals("unknown column: Income", assertThrows(IllegalArgumentException.class, () -> row.get("Income")).getMessage());
    }

    @Test
    void rejectsDuplicateNamesAndWrongArity() {
        assertEquals("duplicate field name: a", assertThrows(IllegalArgumentException.class,
                () -> Schema.of(Field.of("a", DataType.INT), Field.of("a", DataType.DOUBLE))).getMessage());
        assertEquals("row has 1 values for 2 fields",
                assertThrows(IllegalArgumentException.class, () -> new Row(schema, "good")).getMessage());
    }

    @Test
    void inMemoryDatasetIsReReadable() {
        Dataset d = Dataset.of(schema, List.of(new Row(schema, "good", 30L), new Row(schema, "bad", null)));
        assertEquals(d.toList(), d.toList());
        assertEquals(2, d.toList().size());
    }

    @Test
    void queryValidatesLimitAndOffset() {
        assertEquals("limit must be >= 0, was -1", assertThrows(IllegalArgumentException.class,
                () -> new Query(List.of(), null, List.of(), -1L, 0)).getMessage());
        assertEquals("offset must be >= 0, was -5", assertThrows(IllegalArgumentException.class,
                () -> new Query(List.of(), null, List.of(), null, -5)).getMessage());
    }
}
