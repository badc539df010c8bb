package org.cogwork.features.embeddings;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.cogwork.api.data.DataType;
import org.cogwork.api.data.Dataset;
import org.cogwork.api.data.Field;
import org.cogwork.api.data.Row;
import org.cogwork.api.data.Schema;
import org.cogwork.api.data.Vector;
import org.cogwork.api.feature.FittedTransform;
import org.cogwork.api.problem.InvalidFieldException;
import org.junit.jupiter.api.Test;

/** The transform offline, without langchain4j: a pinned vector, save and load, missing texts, parameter errors. */
class SentenceEmbeddingTest {
    static final Schema SCHEMA = Schema.of(new Field("id", DataType.INT, false), new Field("text", DataType.TEXT, true),
            new Field("label", DataType.CATEGORICAL, true));
    static final String GUITAR = "A man is playing a guitar.";
    /** langchain4j's AllMiniLmL6V2EmbeddingModel on GUITAR, first 8 dimensions (ReferenceTest prints them). */
    static final double[] GUITAR_FIRST_8 = {0.02166411, -0.00486419, -0.009649081, -0.06340122, -0.16749348, 0.004676425,
        0.08059975, -0.024142174};

    final SentenceEmbedding transform = new SentenceEmbedding();

    static Dataset rows(String... texts) {
        List<Row> rows = new java.util.ArrayList<>();
        for (int i = 0; i < texts.length; i++) {
            rows.add(new Row(SCHEMA, (long) i, texts[i], "x"));
        }
        return Dataset.of(SCHEMA, rows);
    }

    @Test
    void aFixedSentenceGivesAFixedUnitVector() {
        FittedTransform f = transform.fit(rows(GUITAR), Map.of("columns", List.of("text")));
        assertEquals(new Field("text", DataType.VECTOR, false), f.outputSchema().fields().get(1));
        Vector v = (Vector) f.apply(rows(GUITAR)).toList().get(0).get("text");
        assertEquals(MiniLm.DIMENSION, v.dimension());
        double[] a = v.toArray();
        double norm = 0;
        for (double x : a) {
            norm += x * x;
        }
        assertEquals(1.0, Math.sqrt(norm), 1e-6);
        for (int i = 0; i < 8; i++) {
            assertEquals(GUITAR_FIRST_8[i], a[i], 1e-5, "dimension " + i);
        }
    }

    @Test
    void theTokenizerSplitsAsBertDoes() {
        WordPieceTokenizer t = SentenceEmbedding.model().tokenizer();
        assertEquals(30522, t.vocabularySize());
        assertEquals(List.of("the", "cafe", "served", "cr", "##eme", "br", "##ule", "##e", ",", "don", "'", "t", "!"),
                t.tokens("The Café served CRÈME brûlée, don't!"));
        assertEquals(List.of("[UNK]"), t.tokens("x".repeat(101)));
        long[] ids = t.encode("one two three four five six seven eight nine ten", 8);
        assertEquals(8, ids.length, "truncated to maxTokens, [CLS] and [SEP] included");
        assertEquals(101, ids[0]);
        assertEquals(102, ids[7]);
    }

    @Test
    void aMissingTextIsTheZeroVectorAndLongTextsAreTruncated() {
        String longText = "a long review that goes on and on. ".repeat(100);
        FittedTransform f = transform.fit(rows(GUITAR), Map.of("columns", List.of("text"), "maxTokens", 16));
        List<Row> out = f.apply(rows(null, longText, longText + " with a different ending")).toList();
        assertArrayEquals(new double[MiniLm.DIMENSION], ((Vector) out.get(0).get("text")).toArray());
        assertEquals(out.get(1).get("text"), out.get(2).get("text"), "only the first 16 tokens count");
        assertEquals(2L, out.get(2).get("id"));
        assertEquals("x", out.get(2).get("label"));
    }

    @Test
    void savedAndLoadedItEmbedsTheSameAndRecordsTheModel() throws IOException {
        FittedTransform f = transform.fit(rows(GUITAR), Map.of("columns", List.of("text"), "maxTokens", 64, "target", "label"));
        byte[] saved = save(f);
        String json = new String(saved, StandardCharsets.UTF_8);
        MiniLm.Identity id = MiniLm.Identity.packaged();
        assertEquals("all-MiniLM-L6-v2", id.name());
        assertEquals("1.19.0-beta29", id.version());
        assertEquals(64, id.sha256().length());
        assertTrue(json.contains(id.sha256()) && json.contains("\"maxTokens\" : 64"), json);
        FittedTransform loaded = transform.load(new ByteArrayInputStream(saved));
        assertEquals(f.outputSchema(), loaded.outputSchema());
        Dataset d = rows(GUITAR, "Something else entirely.", null);
        assertEquals(f.apply(d).toList(), loaded.apply(d).toList());
    }

    @Test
    void aStateSavedWithAnotherModelIsRefused() throws IOException {
        FittedTransform f = transform.fit(rows(GUITAR), Map.of("columns", List.of("text")));
        String json = new String(save(f), StandardCharsets.UTF_8);
        String other = json.replace(MiniLm.Identity.packaged().sha256(), "0".repeat(64));
        assertNotEquals(json, other);
        IOException e = assertThrows(IOException.class,
                () -> transform.load(new ByteArrayInputStream(other.getBytes(StandardCharsets.UTF_8))));
        assertTrue(e.getMessage().contains("0".repeat(64)) && e.getMessage().contains("refit"), e.getMessage());
        assertThrows(IOException.class, () -> transform.load(new ByteArrayInputStream("{}".getBytes(StandardCharsets.UTF_8))));
    }

    @Test
    void parameterErrorsNameTheField() {
        assertEquals("columns", field(Map.of()));
        assertEquals("columns", field(Map.of("columns", "text")));
        assertEquals("columns", field(Map.of("columns", List.of())));
        assertEquals("maxTokens", field(Map.of("columns", List.of("text"), "maxTokens", 7)));
        assertEquals("maxTokens", field(Map.of("columns", List.of("text"), "maxTokens", 513)));
        assertEquals("maxTokens", field(Map.of("columns", List.of("text"), "maxTokens", 64.0)));
        assertEquals("maxTokens", field(Map.of("columns", List.of("text"), "maxTokens", "64")));
        assertEquals("pooling", field(Map.of("columns", List.of("text"), "pooling", "cls")));
        transform.validate(Map.of("columns", List.of("text"), "maxTokens", 8, "target", "label"));
        transform.validate(Map.of("columns", List.of("text"), "maxTokens", 512));
        // what only the data tells: fit refuses, naming the parameter
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> transform.fit(rows(GUITAR), Map.of("columns", List.of("nope"))));
        assertTrue(e.getMessage().startsWith("sentence-embedding.columns:") && e.getMessage().contains("nope"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> transform.fit(rows(GUITAR), Map.of("columns", List.of("id"))));
        assertTrue(e.getMessage().contains("INT, not TEXT"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> transform.fit(rows(GUITAR), Map.of("columns", List.of("text"),
                "maxTokens", 1)));
        assertTrue(e.getMessage().startsWith("sentence-embedding.maxTokens:"), e.getMessage());
    }

    private String field(Map<String, Object> params) {
        InvalidFieldException e = assertThrows(InvalidFieldException.class, () -> transform.validate(new HashMap<>(params)));
        assertTrue(e.getMessage().startsWith("sentence-embedding"), e.getMessage());
        return e.field();
    }

    private static byte[] save(FittedTransform f) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        f.save(out);
        return out.toByteArray();
    }
}
