package org.cogwork.training.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.cogwork.api.data.DataType;
import org.cogwork.api.data.Dataset;
import org.cogwork.api.data.Field;
import org.cogwork.api.data.Row;
import org.cogwork.api.data.Schema;
import org.cogwork.api.problem.ApiException;
import org.cogwork.api.query.Filter;
import org.cogwork.api.query.Query;
import org.cogwork.api.training.JobStatus;
import org.cogwork.api.training.TrainingJob;
import org.cogwork.api.training.TrainingResult;
import org.cogwork.connector.file.FileSource;
import org.cogwork.connector.file.FileSourceConfig;
import org.cogwork.engine.baseline.BaselineEngine;
import org.cogwork.engine.tribuo.TribuoEngine;
import org.cogwork.features.internal.BuiltIn;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.util.converter.Converters;

/**
 * A spec with a fixed test set trains on every row of its query and reports on the test set's rows; a model read
 * back from its model.zip scores the same rows to the same figures; bad test sets are refused naming the field.
 */
class FixedTestSetTest {
    static final String YOUNG = "{\"where\": {\"column\": \"Age\", \"op\": \"<\", \"value\": 40}}";
    static final String OLDER = "{\"where\": {\"column\": \"Age\", \"op\": \">=\", \"value\": 40}}";

    @TempDir
    Path tmp;

    /** Status of each credit_data.csv row whose Age passes {@code keep}, read straight from the file. */
    static List<String> statuses(java.util.function.IntPredicate keep) throws Exception {
        List<String> lines = Files.readAllLines(Harness.DATA.resolve("credit_data.csv"), StandardCharsets.UTF_8);
        List<String> header = List.of(lines.get(0).replace("\"", "").split(","));
        int age = header.indexOf("Age");
        int status = header.indexOf("Status");
        List<String> out = new ArrayList<>();
        for (String l : lines.subList(1, lines.size())) {
            String[] cells = l.replace("\"", "").split(",", -1);
            if (keep.test(Integer.parseInt(cells[age]))) {
                out.add(cells[status]);
            }
        }
        return out;
    }

    static TrainingResult result(TrainingJob job) {
        assertEquals(JobStatus.SUCCEEDED, Harness.status(job), job.error());
        return job.result();
    }

    @Test
    @SuppressWarnings("unchecked")
    void majorityOfTheTrainingRowsScoredOnTheTestRows() throws Exception {
        List<String> young = statuses(a -> a < 40);
        List<String> older = statuses(a -> a >= 40);
        long goodYoung = young.stream().filter("good"::equals).count();
        assertTrue(goodYoung > young.size() / 2, "good is the majority of the training rows");
        long good = older.stream().filter("good"::equals).count();
        long bad = older.size() - good;
        try (Harness h = new Harness(tmp, 1, new BaselineEngine("1.0.0"))) {
            TrainingResult r = result(h.run("""
                    {"source": "data", "dataset": "credit_data.csv", "target": "Status", "query": %s, "test": {"query": %s},
                     "engine": "baseline", "algorithm": "majority", "seed": 7}""".formatted(YOUNG, OLDER), Duration.ofSeconds(60)));
            TrainingResult.Rows rows = r.rows();
            assertEquals(young.size(), rows.train(), "every training row trains: " + rows);
            assertEquals(young.size(), rows.used(), rows.toString());
            assertEquals(older.size(), rows.test(), rows.toString());
            assertEquals(0L, rows.testWithoutTarget());
            assertEquals(good / (double) older.size(), r.metrics().get("accuracy"), 1e-12);
            TrainingResult.ConfusionMatrix cm = r.confusionMatrix();
            assertEquals(List.of("bad", "good"), cm.labels());
            assertEquals(List.of(List.of(0L, bad), List.of(0L, good)), cm.matrix());
            assertEquals(new TrainingResult.Selection("none", null, null, null, 1), r.selection());
            Map<String, Object> provenance = r.provenance();
            assertEquals("test-set", ((Map<String, Object>) provenance.get("split")).get("method"));
            Map<String, Object> test = (Map<String, Object>) ((Map<String, Object>) provenance.get("data")).get("test");
            assertEquals("credit_data.csv", test.get("dataset"));
            assertEquals(64, ((String) test.get("sha256")).length());
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void theModelReadBackFromItsArchiveScoresTheTestRowsAlike() throws Exception {
        TribuoEngine tribuo = new TribuoEngine("test");
        try (Harness h = new Harness(tmp, 1, tribuo)) {
            TrainingJob job = h.run("""
                    {"source": "data", "dataset": "credit_data.csv", "target": "Status", "query": %s, "test": {"query": %s},
                     "pipeline": [{"transform": "impute", "params": {"strategy": "median", "indicator": true}},
                                  {"transform": "onehot", "params": {"columns": ["Home", "Marital", "Records", "Job"]}},
                                  {"transform": "standardize"}],
                     "candidates": [{"engine": "tribuo", "algorithm": "logistic", "space": {"epochs": [2, 5]}}], "seed": 3}"""
                    .formatted(YOUNG, OLDER), Duration.ofMinutes(2));
            TrainingResult r = result(job);
            assertEquals(new TrainingResult.Selection("validation-split", null, 0.2, "accuracy", 2), r.selection(),
                    "two configurations, no cross-validation");
            assertEquals(2, r.search().size());
            assertEquals(java.util.Set.of(2, 5), r.search().stream().map(t -> t.hyperparameters().get("epochs")).collect(java.util.stream.Collectors.toSet()));

            FileSource data = new FileSource(Converters.standardConverter().convert(
                    Map.of("cogwork.source.id", "data", "path", Harness.DATA.toString())).to(FileSourceConfig.class));
            Path zip = tmp.resolve(job.id() + "/model.zip");
            try (InputStream in = Files.newInputStream(zip);
                 ModelArchive.Loaded m = ModelArchive.read(in, n -> n.equals("tribuo") ? tribuo : null, BuiltIn.pipelineService())) {
                assertEquals("Status", m.target());
                List<String> columns = m.pipeline().inputSchema().fields().stream().map(Field::name).toList();
                Query older = new Query(columns, new Filter.Compare("Age", Filter.Op.GE, 40L), List.of(), null, 0);
                Evaluator.Result again = new Evaluator(m.task(), m.pipeline(), m.model(), m.target())
                        .evaluate(data.read("credit_data.csv", older), k -> k, () -> { });
                // compared as the JSON clients see: the job may come back from the store (JSON numbers read as
                // Integer) or from memory (the CSV's Long), whichever its last save raced with (CI saw both)
                assertEquals(json(r.metrics()), json(again.evaluation().scalars()));
                assertEquals(json(r.confusionMatrix()), json(again.evaluation().confusionMatrix()));
                assertEquals(json(r.perClass()), json(again.evaluation().perClass()));
                assertEquals(json(r.worstPredictions()), json(again.worst()));
                assertEquals(r.rows().test(), again.rows());

                // a value the pipeline cannot take is reported with the row it is on
                Schema wordy = new Schema(m.pipeline().inputSchema().fields().stream()
                        .map(f -> f.name().equals("Age") ? Field.of("Age", DataType.STRING) : f).toList());
                List<Row> rows = new ArrayList<>();
                for (String age : List.of("30", "41", "forty")) {
                    Object[] v = new Object[wordy.size()];
                    v[wordy.indexOf("Age")] = age;
                    v[wordy.indexOf("Status")] = "good";
                    rows.add(new Row(wordy, v));
                }
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Evaluator(m.task(), m.pipeline(),
                        m.model(), m.target()).evaluate(Dataset.of(wordy, rows), k -> k, () -> { }));
                assertTrue(e.getMessage().startsWith("row 2: ") && e.getMessage().contains("'Age'"), e.getMessage());
            }
        }
    }

    @Test
    void badTestSetsAreRefusedNamingTheField() throws Exception {
        String spec = """
                {"source": "data", "dataset": "credit_data.csv", "target": "Status", %s
                 "engine": "baseline", "algorithm": "majority"}""";
        try (Harness h = new Harness(tmp, 1, new BaselineEngine("1.0.0"))) {
            assertField(h, spec.formatted("\"split\": {\"testFraction\": 0.3}, \"test\": {\"dataset\": \"x.csv\"},"), "split.testFraction",
                    "either split.testFraction or a fixed test set");
            assertField(h, spec.formatted("\"test\": {\"query\": null},"), "test", "the test set is the training set");
            assertField(h, spec.formatted("\"test\": {\"dataset\": \"nope.csv\"},"), "test.dataset", "nope.csv");
            assertField(h, spec.formatted("\"test\": {\"source\": \"warehouse\"},"), "test.source", "no data source 'warehouse'");
            assertField(h, spec.formatted("\"test\": {\"query\": {\"limit\": -1}},"), "test.query.limit", "");
            assertField(h, spec.formatted("\"test\": {\"query\": [1]},"), "test.query", "must be a JSON object");
            assertField(h, spec.formatted("\"test\": {\"query\": {\"where\": {\"column\": \"Agee\", \"op\": \">\", \"value\": 1}}},"),
                    "test.query", "Agee");
            assertField(h, spec.formatted("\"test\": {\"dataset\": \"concrete.csv\"},"), "test.dataset",
                    "column 'Status' (the target) is not in concrete.csv");
            assertField(h, spec.formatted("\"features\": [\"Age\"], \"test\": {\"dataset\": \"concrete.csv\"},"), "test.dataset",
                    "column 'Age' (a feature) is not in concrete.csv");
            assertField(h, spec.formatted("\"features\": [\"review\"], \"test\": {\"dataset\": \"concrete.csv\"},")
                    .replace("credit_data.csv", "imdb_reviews_2k.csv").replace("\"Status\"", "\"sentiment\""), "test.dataset",
                    "column 'review' (a feature) is not in concrete.csv");
        }
    }

    @Test
    void aTestSetWithTextWhereTheTrainingDataHasNumbersIsRefused() throws Exception {
        Path folder = Files.createDirectories(tmp.resolve("local"));
        Files.writeString(folder.resolve("train.csv"), "x,y\n1,a\n2,b\n3,a\n4,b\n5,a\n6,b\n7,a\n8,b\n9,a\n10,b\n11,a\n");
        Files.writeString(folder.resolve("test.csv"), "x,y\none,a\ntwo,b\n");
        try (Harness h = new Harness(tmp.resolve("artifacts"), 1, new BaselineEngine("1.0.0"))) {
            h.manager.addSource(new FileSource(Converters.standardConverter().convert(
                    Map.of("cogwork.source.id", "local", "path", folder.toString())).to(FileSourceConfig.class)));
            assertField(h, """
                    {"source": "local", "dataset": "train.csv", "target": "y", "test": {"dataset": "test.csv"},
                     "engine": "baseline", "algorithm": "majority"}""", "test.dataset", "column 'x' (a feature) is ");
        }
    }

    private static void assertField(Harness h, String json, String field, String message) {
        ApiException e = assertThrows(ApiException.class, () -> h.submit(json));
        assertEquals(400, e.status(), e.getMessage());
        assertEquals(field, e.field(), e.getMessage());
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }

    /** As JSON read back: numbers as the parser types them, objects compared without their key order. */
    private static com.fasterxml.jackson.databind.JsonNode json(Object value) throws com.fasterxml.jackson.core.JsonProcessingException {
        var mapper = org.cogwork.runtime.rest.Json.MAPPER;
        return mapper.readTree(mapper.writeValueAsString(value));
    }
}
