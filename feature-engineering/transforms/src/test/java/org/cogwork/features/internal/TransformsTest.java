package org.cogwork.features.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.cogwork.api.data.DataType;
import org.cogwork.api.data.Dataset;
import org.cogwork.api.data.Field;
import org.cogwork.api.data.Row;
import org.cogwork.api.data.Schema;
import org.cogwork.api.data.Vector;
import org.cogwork.api.feature.FittedPipeline;
import org.cogwork.api.feature.PipelineStep;
import org.cogwork.api.query.Filter;
import org.cogwork.api.query.Query;
import org.cogwork.connector.file.FileSource;
import org.cogwork.connector.file.FileSourceConfig;
import org.junit.jupiter.api.Test;
import org.osgi.util.converter.Converters;

/** The built-in transforms on the real datasets in ../shared/data. */
class TransformsTest {
    static final Path DATA = Path.of("../../../shared/data").toAbsolutePath().normalize();
    static final FileSource FILES = new FileSource(Converters.standardConverter().convert(
            Map.of("cogwork.source.id", "data", "path", DATA.toString())).to(FileSourceConfig.class));
    final PipelineService pipelines = BuiltIn.pipelineService();

    static Dataset read(String file, Query q) throws Exception {
        Dataset d = FILES.read(file, q);
        return Dataset.of(d.schema(), d.toList());
    }

    /**
     * TF-IDF's hand-written scan finds the words the pattern it replaced finds (HTML tags replaced by spaces, then
     * {@code [\p{L}\p{N}]+(?:'\p{L}+)?}): every review of imdb_reviews_10k.csv, and texts made to trip it.
     */
    @Test
    void tfidfWordsAreThePatternsWords() throws Exception {
        java.util.regex.Pattern tag = java.util.regex.Pattern.compile("<[^>]*>");
        java.util.regex.Pattern word = java.util.regex.Pattern.compile("[\\p{L}\\p{N}]+(?:'[\\p{L}]+)?");
        TfIdf.Settings settings = new TfIdf.Settings(1, false, true, true);
        java.util.function.Function<String, List<String>> byPattern = text -> {
            java.util.regex.Matcher m = word.matcher(tag.matcher(text).replaceAll(" ").toLowerCase(java.util.Locale.ROOT));
            List<String> out = new java.util.ArrayList<>();
            while (m.find()) {
                out.add(m.group());
            }
            return out;
        };
        List<String> texts = new java.util.ArrayList<>(List.of("", "<br /><br />", "a<b>c", "x < y > z", "no close < here",
                "don't won't rock'n'roll 'quoted' it's' 1970's abc'123", "Ünïcödé ÇA 2½ ²³ Ⅻ 𝔸𝔹 日本語の映画", "tab\tnew\nline",
                "İstanbul ΣΊΣΥΦΟΣ", "trailing'", "'", "<", ">", "a>b<c"));
        for (Row r : read("imdb_reviews_10k.csv", Query.all()).toList()) {
            texts.add((String) r.get("review"));
        }
        for (String text : texts) {
            assertEquals(byPattern.apply(text), settings.terms(text), text.length() > 80 ? text.substring(0, 80) : text);
        }
        assertTrue(texts.size() > 10_000, "read " + texts.size() + " texts");
    }

    @Test
    void creditPipelineImputesEncodesScalesAndSurvivesSaveAndLoad() throws Exception {
        Dataset credit = read("credit_data.csv", Query.all());
        FittedPipeline p = pipelines.fit(credit, "Status", List.of(
                new PipelineStep("impute", Map.of("strategy", "median", "indicator", true)),
                new PipelineStep("impute", Map.of("strategy", "mode", "columns", List.of("Home", "Marital", "Job"))),
                new PipelineStep("onehot", Map.of()),
                new PipelineStep("standardize", Map.of())));
        Schema out = p.outputSchema();
        assertTrue(out.indexOf("Income_missing") >= 0, out.toString());
        assertTrue(out.indexOf("Home=rent") >= 0, out.toString());
        assertEquals(DataType.CATEGORICAL, out.require("Status").type(), "the target is left alone");
        List<Row> rows = p.applyToTraining(credit).toList();
        assertEquals(4454, rows.size());
        int income = out.indexOf("Income");
        double mean = rows.stream().mapToDouble(r -> (Double) r.get(income)).average().orElseThrow();
        assertEquals(0, mean, 1e-9, "standardized on the training rows");
        assertEquals(381, rows.stream().filter(r -> ((Number) r.get(out.indexOf("Income_missing"))).doubleValue() > 0).count());

        ByteArrayOutputStream saved = new ByteArrayOutputStream();
        p.save(saved);
        FittedPipeline loaded = pipelines.load(new ByteArrayInputStream(saved.toByteArray()));
        assertEquals(out, loaded.outputSchema());
        List<Row> sample = credit.toList().subList(0, 50);
        assertEquals(p.apply(Dataset.of(credit.schema(), sample)).toList(), loaded.apply(Dataset.of(credit.schema(), sample)).toList());
    }

    @Test
    void servingRowsMayOmitTheTargetButNotAFeature() throws Exception {
        Dataset credit = read("credit_data.csv", new Query(List.of("Age", "Home", "Status"), null, List.of(), null, 0));
        FittedPipeline p = pipelines.fit(credit, "Status", List.of(new PipelineStep("onehot", Map.of())));
        Schema serving = Schema.of(Field.of("Home", DataType.STRING), Field.of("Age", DataType.INT));
        Row r = p.apply(Dataset.of(serving, List.of(new Row(serving, "owner", 41)))).toList().get(0);
        assertEquals(1L, r.get("Home=owner"));
        assertEquals(41L, r.get("Age"), "JSON integers become INT");
        Row unseen = p.apply(Dataset.of(serving, List.of(new Row(serving, "castle", 41)))).toList().get(0);
        assertEquals(0L, unseen.get("Home=owner"), "an unseen level is all zeros");
        Schema noAge = Schema.of(Field.of("Home", DataType.STRING));
        assertEquals("missing feature 'Age'", assertThrows(IllegalArgumentException.class,
                () -> p.apply(Dataset.of(noAge, List.of(new Row(noAge, "rent")))).toList()).getMessage());
        assertEquals("feature 'Age' must be INT, was forty", assertThrows(IllegalArgumentException.class,
                () -> p.apply(Dataset.of(serving, List.of(new Row(serving, "rent", "forty")))).toList()).getMessage());
    }

    @Test
    void tfidfOnImdbReviews() throws Exception {
        Dataset imdb = read("imdb_reviews_2k.csv", new Query(List.of("review", "sentiment"), null, List.of(), null, 0));
        FittedPipeline p = pipelines.fit(imdb, "sentiment", List.of(new PipelineStep("tfidf",
                Map.of("maxFeatures", 5000, "ngrams", 2, "minDf", 3))));
        assertEquals(DataType.VECTOR, p.outputSchema().require("review").type());
        Row first = p.applyToTraining(imdb).toList().get(0);
        Vector v = (Vector) first.get("review");
        assertEquals(5000, v.dimension());
        assertTrue(v.isSparse() && v.size() > 10 && v.size() < 1000, v.toString());
        double norm = 0;
        for (int k = 0; k < v.size(); k++) {
            norm += v.valueAt(k) * v.valueAt(k);
        }
        assertEquals(1, norm, 1e-9);
        TfIdf.Settings s = new TfIdf.Settings(1, true, true, true);
        assertEquals(List.of("great", "film", "loved"), s.terms("A great film.<br /><br />I loved it!"));
        assertTrue(pipelines.fit(imdb, "sentiment", List.of(new PipelineStep("tfidf", Map.of("hashing", true, "maxFeatures", 1024))))
                .outputSchema().require("review").type() == DataType.VECTOR);
    }

    @Test
    void tokensGiveFrequencyRankedIdsPaddedToALengthAndSurviveSaveAndLoad() throws Exception {
        Dataset imdb = read("imdb_reviews_2k.csv", new Query(List.of("review", "sentiment"), null, List.of(), null, 0));
        FittedPipeline p = pipelines.fit(imdb, "sentiment", List.of(new PipelineStep("tokens",
                Map.of("maxLength", 8, "maxFeatures", 1000))));
        assertEquals(DataType.VECTOR, p.outputSchema().require("review").type());
        Schema schema = Schema.of(Field.of("review", DataType.TEXT));
        List<Row> rows = List.of(new Row(schema, "The film was zzqxv.<br />"), new Row(schema, (Object) null),
                new Row(schema, "the the the the the the the the the the"));
        List<Row> out = p.apply(Dataset.of(schema, rows)).toList();
        Vector first = (Vector) out.get(0).get("review");
        assertEquals(8, first.dimension());
        assertEquals(2.0, first.get(0), "'the' is the most frequent word: id 2");
        assertTrue(first.get(1) > 2 && first.get(2) > 2, first.toString()); // film, was: known words
        assertEquals(1.0, first.get(3), "an unknown word is id 1");
        assertEquals(0.0, first.get(4), "padding is id 0");
        assertEquals(0.0, ((Vector) out.get(1).get("review")).get(0), "a missing text is all padding");
        assertEquals(2.0, ((Vector) out.get(2).get("review")).get(7), "longer texts are cut at maxLength");

        ByteArrayOutputStream saved = new ByteArrayOutputStream();
        p.save(saved);
        FittedPipeline loaded = pipelines.load(new ByteArrayInputStream(saved.toByteArray()));
        assertEquals(out, loaded.apply(Dataset.of(schema, rows)).toList());
    }

    /** Two text fields (product and review of the fine-foods reviews) joined into the one column TF-IDF reads. */
    @Test
    void concatJoinsTextColumnsForOneTextTransform() throws Exception {
        Dataset reviews = read("fine_foods_reviews.csv", new Query(List.of(), null, List.of(), 200L, 0));
        FittedPipeline p = pipelines.fit(reviews, "score", List.of(
                new PipelineStep("concat", Map.of("columns", List.of("product", "review"), "name", "text", "separator", " | ")),
                new PipelineStep("tfidf", Map.of("columns", List.of("text"), "maxFeatures", 500))));
        assertEquals(List.of("text", "score", "split"), p.outputSchema().fields().stream().map(Field::name).toList());
        assertEquals(DataType.VECTOR, p.outputSchema().require("text").type());

        FittedPipeline joinOnly = pipelines.fit(reviews, "score", List.of(
                new PipelineStep("concat", Map.of("columns", List.of("product", "review"), "separator", " | "))));
        Row source = reviews.toList().get(3);
        Schema schema = reviews.schema();
        assertEquals(source.get("product") + " | " + source.get("review"),
                joinOnly.apply(Dataset.of(schema, List.of(source))).toList().get(0).get("text"));
        // a missing part is left out (no dangling separator); every part missing is a missing value
        Object[] noProduct = source.values().clone();
        noProduct[schema.indexOf("product")] = null;
        Object[] nothing = noProduct.clone();
        nothing[schema.indexOf("review")] = null;
        List<Row> out = joinOnly.apply(Dataset.of(schema, List.of(new Row(schema, noProduct), new Row(schema, nothing)))).toList();
        assertEquals(source.get("review"), out.get(0).get("text"));
        assertNull(out.get(1).get("text"));

        ByteArrayOutputStream saved = new ByteArrayOutputStream();
        p.save(saved);
        assertEquals(p.apply(Dataset.of(schema, List.of(source))).toList(),
                pipelines.load(new ByteArrayInputStream(saved.toByteArray())).apply(Dataset.of(schema, List.of(source))).toList());
        IllegalArgumentException numeric = assertThrows(IllegalArgumentException.class, () -> pipelines.fit(
                read("credit_data.csv", new Query(List.of(), null, List.of(), 50L, 0)), "Status",
                List.of(new PipelineStep("concat", Map.of("columns", List.of("Home", "Age"))))));
        assertTrue(numeric.getMessage().contains("Age"), numeric.getMessage());
    }

    @Test
    void vectorAssemblesImagePixelColumnsIntoOneColumn() throws Exception {
        Dataset images = read("fashion_mnist_test_5k.csv", new Query(List.of(), null, List.of(), 50L, 0));
        FittedPipeline p = pipelines.fit(images, "label_name", List.of(new PipelineStep("vector",
                Map.of("prefix", "px", "name", "image"))));
        assertEquals(List.of("t10k_index", "label", "label_name", "image"),
                p.outputSchema().fields().stream().map(Field::name).toList());
        assertEquals(DataType.VECTOR, p.outputSchema().require("image").type());
        Row source = images.toList().get(7);
        Row out = p.apply(Dataset.of(images.schema(), List.of(source))).toList().get(0);
        Vector image = (Vector) out.get("image");
        assertEquals(784, image.dimension());
        for (int k = 0; k < 784; k += 97) {
            assertEquals(((Number) source.get("px" + k)).doubleValue(), image.get(k), "pixel " + k);
        }
        assertEquals(source.get("label_name"), out.get("label_name"));

        ByteArrayOutputStream saved = new ByteArrayOutputStream();
        p.save(saved);
        assertEquals(out, pipelines.load(new ByteArrayInputStream(saved.toByteArray()))
                .apply(Dataset.of(images.schema(), List.of(source))).toList().get(0));
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class, () -> pipelines.fit(images, "label_name",
                List.of(new PipelineStep("vector", Map.of("prefix", "nope")))));
        assertTrue(none.getMessage().contains("prefix"), none.getMessage());
    }

    @Test
    void calendarLagAndRollingOnChicagoRidership() throws Exception {
        Query ordered = new Query(List.of("date", "ridership"), new Filter.Compare("date", Filter.Op.GE, "2016-06-25"),
                List.of(new Query.Order("date", false)), null, 0);
        Dataset chicago = read("chicago_ridership.csv", ordered);
        FittedPipeline p = pipelines.fit(chicago, "ridership", List.of(
                new PipelineStep("lag", Map.of("columns", List.of("ridership"), "lags", List.of(1, 7), "orderBy", "date")),
                new PipelineStep("rolling", Map.of("columns", List.of("ridership"), "windows", List.of(7), "stats", List.of("mean", "std"),
                        "orderBy", "date")),
                new PipelineStep("calendar", Map.of("holidays", List.of("2016-08-01")))));
        List<Row> in = chicago.toList();
        List<Row> out = p.applyToTraining(chicago).toList();
        Schema s = p.outputSchema();
        assertNull(out.get(0).get(s.indexOf("ridership_lag1")), "no history before the first row");
        assertEquals(((Number) in.get(9).get(1)).doubleValue(), (Double) out.get(10).get(s.indexOf("ridership_lag1")), 1e-12);
        assertEquals(((Number) in.get(3).get(1)).doubleValue(), (Double) out.get(10).get(s.indexOf("ridership_lag7")), 1e-12);
        double mean7 = in.subList(3, 10).stream().mapToDouble(r -> ((Number) r.get(1)).doubleValue()).average().orElseThrow();
        assertEquals(mean7, (Double) out.get(10).get(s.indexOf("ridership_mean7")), 1e-9, "previous 7 rows, current excluded");
        int july4 = -1;
        for (int i = 0; i < in.size(); i++) {
            if (in.get(i).get(0).equals(LocalDate.of(2016, 7, 4))) {
                july4 = i;
            }
        }
        assertEquals(1L, out.get(july4).get(s.indexOf("date_holiday")), "Independence Day");
        assertEquals(1L, out.get(july4).get(s.indexOf("date_dow")), "a Monday");
        assertEquals(0L, out.get(july4 + 1).get(s.indexOf("date_holiday")));
        assertTrue(s.indexOf("date") < 0, "the date itself is replaced by numbers");
        // A row after the training period continues the series from the kept tail.
        Schema serving = Schema.of(Field.of("date", DataType.DATE));
        Row next = p.apply(Dataset.of(serving, List.of(new Row(serving, LocalDate.of(2016, 8, 29))))).toList().get(0);
        assertEquals(((Number) in.get(in.size() - 1).get(1)).doubleValue(), (Double) next.get(s.indexOf("ridership_lag1")), 1e-12);

        Dataset shuffled = read("chicago_ridership.csv", new Query(List.of("date", "ridership"), null,
                List.of(new Query.Order("ridership", false)), 50L, 0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> pipelines.fit(shuffled, "ridership",
                List.of(new PipelineStep("lag", Map.of("columns", List.of("ridership"), "orderBy", "date")))));
        assertTrue(e.getMessage().startsWith("pipeline[0] (lag): lag.orderBy: rows must come in order of 'date'"), e.getMessage());
    }

    @Test
    void targetEncodingIsOutOfFoldOnTrainingRows() throws Exception {
        Dataset credit = read("credit_data.csv", new Query(List.of("Job", "Home", "Status"), null, List.of(), null, 0));
        FittedPipeline p = pipelines.fit(credit, "Status", List.of(new PipelineStep("target", Map.of("columns", List.of("Job"), "seed", 7))));
        String col = "Job~good";
        assertTrue(p.outputSchema().indexOf(col) >= 0, p.outputSchema().toString());
        List<Row> training = p.applyToTraining(credit).toList();
        List<Row> full = p.apply(credit).toList();
        long differ = 0;
        for (int i = 0; i < training.size(); i++) {
            if (!training.get(i).get(col).equals(full.get(i).get(col))) {
                differ++;
            }
        }
        assertTrue(differ > 4000, "training rows get out-of-fold encodings, not the full-data ones: " + differ);
        double fixed = (Double) full.get(0).get(col);
        assertTrue(fixed > 0.3 && fixed < 1, "a share of good credits: " + fixed);
    }

    /**
     * fitTransform gives the rows fit(...).applyToTraining(...) gives, out-of-fold target encoding included, with each
     * step applied once: the credit pipeline of the quality bench, with a target encoding after the imputation.
     */
    @Test
    void fitTransformGivesTheTrainingRowsApplyToTrainingGives() throws Exception {
        Dataset credit = read("credit_data.csv", Query.all());
        List<PipelineStep> steps = List.of(new PipelineStep("impute", Map.of("strategy", "median", "indicator", true)),
                new PipelineStep("target", Map.of("columns", List.of("Job"), "seed", 7)),
                new PipelineStep("onehot", Map.of()), new PipelineStep("standardize", Map.of()));
        var transformed = pipelines.fitTransform(credit, "Status", steps);
        FittedPipeline separately = pipelines.fit(credit, "Status", steps);
        assertEquals(separately.outputSchema(), transformed.pipeline().outputSchema());
        assertEquals(separately.outputSchema(), transformed.training().schema());
        List<Row> expected = separately.applyToTraining(credit).toList();
        List<Row> got = transformed.training().toList();
        assertEquals(expected.size(), got.size());
        for (int i = 0; i < expected.size(); i++) {
            assertEquals(java.util.Arrays.asList(expected.get(i).values()), java.util.Arrays.asList(got.get(i).values()), "row " + i);
        }
        // and its pipeline is the fitted one: the same rows for serving
        assertEquals(separately.apply(credit).toList().get(3).toString(), transformed.pipeline().apply(credit).toList().get(3).toString());
    }

    @Test
    void constructionAndSelection() throws Exception {
        Dataset credit = read("credit_data.csv", new Query(List.of("Debt", "Income", "Amount", "Price", "Age", "Status"), null,
                List.of(), null, 0));
        FittedPipeline p = pipelines.fit(credit, "Status", List.of(
                new PipelineStep("expression", Map.of("expressions", Map.of("debt_ratio", "Debt / Income", "log_amount", "log1p(Amount)"))),
                new PipelineStep("polynomial", Map.of("columns", List.of("Age"), "degree", 2)),
                new PipelineStep("impute", Map.of("strategy", "median")),
                new PipelineStep("kbest", Map.of("k", 3, "method", "mutual_info"))));
        Schema s = p.outputSchema();
        long numeric = s.fields().stream().filter(f -> f.type().isNumeric()).count();
        assertEquals(3, numeric, s.toString());
        Row r = pipelines.fit(credit, "Status", List.of(new PipelineStep("expression",
                Map.of("expressions", Map.of("ratio", "Debt / Income"))))).apply(credit).toList().get(0);
        assertEquals(0.0, (Double) r.get("ratio"), 1e-12, "Debt 0 / Income 129");

        assertEquals("pipeline[0] (expression): expression.expressions: expression 'Debt / Incme' at position 13: unknown column 'Incme'",
                assertThrows(IllegalArgumentException.class, () -> pipelines.fit(credit, "Status", List.of(new PipelineStep(
                        "expression", Map.of("expressions", Map.of("r", "Debt / Incme")))))).getMessage());
        assertEquals("pipeline[0] (standardize): standardize: unknown parameter 'colums'; use [columns]",
                assertThrows(IllegalArgumentException.class, () -> pipelines.fit(credit, "Status", List.of(new PipelineStep(
                        "standardize", Map.of("colums", List.of("Age")))))).getMessage());
        assertEquals("pipeline[0].transform: unknown transform 'pca'; available: " + pipelines.transforms(),
                assertThrows(IllegalArgumentException.class, () -> pipelines.fit(credit, "Status",
                        List.of(new PipelineStep("pca", Map.of())))).getMessage());
        FittedPipeline variance = pipelines.fit(credit, "Status", List.of(new PipelineStep("correlation", Map.of("threshold", 0.7))));
        assertTrue(variance.outputSchema().size() < credit.schema().size(), "Amount and Price correlate: " + variance.outputSchema());
        assertNotEquals(null, variance.steps().get(0));
    }
}
