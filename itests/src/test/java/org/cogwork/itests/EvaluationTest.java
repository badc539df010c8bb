package org.cogwork.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Evaluation on a fixed test set (issue 17): a training spec with a {@code test} dataset trains on every row of its
 * query and reports metrics on the test rows; {@code POST /api/models/{name}/versions/{v}/evaluate} scores a
 * registered version on any dataset, and its metrics are what a hand computation from the predict API's
 * per-row predictions gives; bad requests are 4xx naming the field.
 */
class EvaluationTest {
    @TempDir
    static Path tmp;
    static Cogwork cogwork;
    /** A data scientist (not the admin), so the run's user is checked to be the caller. */
    static String dana;

    static final String PIPELINE = """
            [{"transform": "impute", "params": {"strategy": "median", "indicator": true}},
             {"transform": "impute", "params": {"strategy": "mode", "columns": ["Home", "Marital", "Job"]}},
             {"transform": "onehot", "params": {"columns": ["Home", "Marital", "Records", "Job"]}},
             {"transform": "standardize"}]""";
    static final String YOUNG = "{\"where\": {\"column\": \"Age\", \"op\": \"<\", \"value\": 40}}";
    static final String OLDER = "{\"where\": {\"column\": \"Age\", \"op\": \">=\", \"value\": 40}}";

    @BeforeAll
    static void boot() throws Exception {
        cogwork = Cogwork.fresh(tmp).start();
        FileSourceTest.addSharedData(cogwork);
        // credit_data.csv without its target column, in a folder of its own (a data root of the tests)
        Path local = Files.createDirectories(tmp.resolve("local"));
        List<String> lines = Files.readAllLines(FileSourceTest.DATA.resolve("credit_data.csv"), StandardCharsets.UTF_8);
        assertTrue(lines.get(0).startsWith("\"Status\","), lines.get(0));
        List<String> without = new ArrayList<>();
        lines.forEach(l -> without.add(l.substring(l.indexOf(',') + 1)));
        Files.write(local.resolve("credit_no_status.csv"), without, StandardCharsets.UTF_8);
        // and with words where Age has numbers
        List<String> header = List.of(lines.get(0).replace("\"", "").split(","));
        int age = header.indexOf("Age");
        List<String> wordy = new ArrayList<>();
        for (String l : lines) {
            String[] cells = l.split(",", -1);
            if (!wordy.isEmpty()) {
                cells[age] = "age " + cells[age];
            }
            wordy.add(String.join(",", cells));
        }
        Files.write(local.resolve("credit_words_for_age.csv"), wordy, StandardCharsets.UTF_8);
        Cogwork.Response r = FileSourceTest.create(cogwork, "local", "file", "{\"path\": \"" + local + "\"}");
        assertEquals(201, r.status(), r.body());
        Cogwork.Response u = cogwork.post("/api/users",
                "{\"name\": \"dana\", \"role\": \"data-scientist\", \"password\": \"pw-dana-secret-1\"}".getBytes(StandardCharsets.UTF_8),
                "application/json");
        assertEquals(201, u.status(), u.body());
        dana = Cogwork.basic("dana", "pw-dana-secret-1");
    }

    @AfterAll
    static void shutdown() throws Exception {
        if (cogwork != null) {
            cogwork.stop();
        }
    }

    /** Rows of credit_data.csv a query selects, through the sources API (not the training code). */
    static JsonNode rows(String where) throws Exception {
        String q = where == null ? "{\"limit\": 10000}" : where.substring(0, where.length() - 1) + ", \"limit\": 10000}";
        Cogwork.Response r = FileSourceTest.query(cogwork, "data", "credit_data.csv", q);
        assertEquals(200, r.status(), r.body());
        assertTrue(r.json().path("rows").size() < 10000, "one page holds them all");
        return r.json();
    }

    static JsonNode train(String spec) throws Exception {
        Cogwork.Response r = cogwork.as(dana).post("/api/trainings", spec);
        assertEquals(202, r.status(), r.body());
        JsonNode job = TrainingApiTest.awaitDone(cogwork, r.json().path("id").asText());
        assertEquals("SUCCEEDED", job.path("status").asText(), job.toString());
        return job;
    }

    static Cogwork.Response evaluate(String auth, String model, String version, String body) throws Exception {
        return cogwork.as(auth).post("/api/models/" + model + "/versions/" + version + "/evaluate", body);
    }

    @Test
    void fixedTestSetTrainsOnEveryTrainingRowAndReportsOnTheTestRows() throws Exception {
        int young = rows(YOUNG).path("rows").size();
        int older = rows(OLDER).path("rows").size();
        assertEquals(4454, young + older, "every row of credit_data.csv has an Age");
        assertTrue(young > 2000 && older > 1000, young + " / " + older);

        JsonNode job = train("""
                {"name": "credit-fixed-test", "experiment": "credit-fixed", "source": "data", "dataset": "credit_data.csv",
                 "target": "Status", "query": %s, "test": {"query": %s},
                 "pipeline": %s, "engine": "tribuo", "algorithm": "logistic", "crossValidation": {"folds": 3}, "seed": 42,
                 "register": {"model": "credit-fixed", "alias": "staging"}}""".formatted(YOUNG, OLDER, PIPELINE));
        JsonNode result = job.path("result");
        assertEquals(young, result.path("rows").path("used").asInt(), result.path("rows").toString());
        assertEquals(young, result.path("rows").path("train").asInt(), "every row of the training query trains");
        assertEquals(older, result.path("rows").path("test").asInt(), "every row of the test query is evaluated");
        assertEquals("cross-validation", result.path("selection").path("method").asText(), result.path("selection").toString());
        assertEquals(3, result.path("crossValidation").path("folds").asInt());
        long confusionTotal = 0;
        for (JsonNode row : result.path("confusionMatrix").path("matrix")) {
            for (JsonNode cell : row) {
                confusionTotal += cell.asLong();
            }
        }
        assertEquals(older, confusionTotal, "the confusion matrix counts the test rows");
        assertEquals(10, result.path("worstPredictions").size());
        for (JsonNode w : result.path("worstPredictions")) {
            assertTrue(w.path("row").asInt() < older && w.path("features").path("Age").asInt() >= 40, w.toString());
        }
        assertEquals("test-set", result.path("provenance").path("split").path("method").asText());
        assertEquals(64, result.path("provenance").path("data").path("test").path("sha256").asText().length());

        String runId = result.path("tracking").path("runId").asText();
        JsonNode run = cogwork.get("/api/runs/" + runId).json();
        JsonNode params = run.path("params");
        assertEquals(Integer.toString(young), params.path("rows.train").asText(), params.toString());
        assertEquals(Integer.toString(older), params.path("rows.test").asText(), params.toString());
        assertEquals("test-set", params.path("split").asText());
        assertEquals("cross-validation:3", params.path("selection").asText(), "the run says how the configuration was chosen");
        assertEquals("credit_data.csv", params.path("test.dataset").asText());
        assertEquals(Cogwork.JSON.readTree(OLDER), Cogwork.JSON.readTree(params.path("test.query").asText()));
        assertEquals(result.path("metrics").path("accuracy").asDouble(), run.path("metrics").path("accuracy").path("value").asDouble(), 0);
        assertEquals("dana", run.path("tags").path("mlflow.user").asText());

        // the registered version evaluated on the same test rows gives the very same figures
        Cogwork.Response e = evaluate(dana, "credit-fixed", "1", "{\"source\": \"data\", \"dataset\": \"credit_data.csv\", \"query\": " + OLDER + "}");
        assertEquals(200, e.status(), e.body());
        assertEquals(result.path("metrics"), e.json().path("metrics"));
        assertEquals(result.path("confusionMatrix"), e.json().path("confusionMatrix"));
        assertEquals(result.path("worstPredictions"), e.json().path("worstPredictions"));
    }

    @Test
    void specsWithABadTestSetAreRefusedNamingTheField() throws Exception {
        String spec = """
                {"source": "data", "dataset": "credit_data.csv", "target": "Status", %s
                 "engine": "tribuo", "algorithm": "logistic", "seed": 1}""";
        TrainingApiTest.assertField(cogwork.as(dana).post("/api/trainings", spec.formatted(
                "\"split\": {\"testFraction\": 0.3}, \"test\": {\"query\": " + OLDER + "},")), "split.testFraction");
        TrainingApiTest.assertField(cogwork.as(dana).post("/api/trainings", spec.formatted("\"test\": {},")), "test");
        TrainingApiTest.assertField(cogwork.as(dana).post("/api/trainings", spec.formatted(
                "\"test\": {\"dataset\": \"nope.csv\"},")), "test.dataset");
        TrainingApiTest.assertField(cogwork.as(dana).post("/api/trainings", spec.formatted(
                "\"test\": {\"source\": \"warehouse\", \"dataset\": \"x.csv\"},")), "test.source");
        TrainingApiTest.assertField(cogwork.as(dana).post("/api/trainings", spec.formatted(
                "\"test\": {\"query\": {\"wher\": {}}},")), "test.query.wher");
        TrainingApiTest.assertField(cogwork.as(dana).post("/api/trainings", spec.formatted(
                "\"test\": {\"query\": {\"where\": {\"column\": \"Agee\", \"op\": \">\", \"value\": 1}}},")), "test.query");
        TrainingApiTest.assertField(cogwork.as(dana).post("/api/trainings", spec.formatted(
                "\"test\": {\"query\": " + OLDER + ", \"limit\": 5},")), "test.limit");
        Cogwork.Response noTarget = cogwork.as(dana).post("/api/trainings", spec.formatted(
                "\"test\": {\"source\": \"local\", \"dataset\": \"credit_no_status.csv\"},"));
        TrainingApiTest.assertField(noTarget, "test.dataset");
        assertTrue(noTarget.json().path("error").asText().startsWith("column 'Status' (the target) is not in credit_no_status.csv"),
                noTarget.body());
        Cogwork.Response noFeature = cogwork.as(dana).post("/api/trainings", spec.formatted(
                "\"features\": [\"Age\", \"Income\"], \"test\": {\"dataset\": \"concrete.csv\"},"));
        TrainingApiTest.assertField(noFeature, "test.dataset");
        assertTrue(noFeature.json().path("error").asText().startsWith("column 'Age' (a feature) is not in concrete.csv"), noFeature.body());
    }

    @Test
    void evaluatingAVersionGivesWhatTheItsPredictionsGiveByHand() throws Exception {
        train("""
                {"name": "credit-eval", "experiment": "credit-eval", "source": "data", "dataset": "credit_data.csv",
                 "target": "Status", "pipeline": %s, "engine": "tribuo", "algorithm": "logistic", "seed": 7,
                 "register": {"model": "credit-eval", "alias": "production"}}""".formatted(PIPELINE));
        Cogwork.Response r = evaluate(dana, "credit-eval", "1", "{\"source\": \"data\", \"dataset\": \"credit_data.csv\"}");
        assertEquals(200, r.status(), r.body());
        JsonNode eval = r.json();
        assertEquals(4454, eval.path("rows").path("evaluated").asInt(), eval.path("rows").toString());
        assertEquals(0, eval.path("rows").path("withoutTarget").asInt());

        // every row of credit_data.csv, predicted through the predict API (in two requests), then scored by hand
        JsonNode all = rows(null);
        List<String> columns = all.path("columns").findValuesAsText("name");
        int status = columns.indexOf("Status");
        List<String> truth = new ArrayList<>();
        List<JsonNode> predictions = new ArrayList<>();
        List<ObjectNode> batch = new ArrayList<>();
        for (int i = 0; i < all.path("rows").size(); i++) {
            JsonNode row = all.path("rows").get(i);
            truth.add(row.get(status).asText());
            ObjectNode features = Cogwork.JSON.createObjectNode();
            for (int c = 0; c < columns.size(); c++) {
                if (c != status) {
                    features.set(columns.get(c), row.get(c));
                }
            }
            batch.add(features);
            if (batch.size() == 2500 || i == all.path("rows").size() - 1) {
                ObjectNode body = Cogwork.JSON.createObjectNode();
                ArrayNode a = body.putArray("rows");
                batch.forEach(a::add);
                Cogwork.Response p = cogwork.as(dana).post("/api/models/credit-eval/predict?version=1", Cogwork.JSON.writeValueAsString(body));
                assertEquals(200, p.status(), p.body());
                p.json().path("predictions").forEach(predictions::add);
                batch.clear();
            }
        }
        assertEquals(4454, predictions.size());
        TreeSet<String> labels = new TreeSet<>(truth);
        predictions.forEach(p -> labels.add(p.path("value").asText()));
        List<String> names = new ArrayList<>(labels);
        long[][] cm = new long[names.size()][names.size()];
        int correct = 0;
        double logLoss = 0;
        for (int i = 0; i < truth.size(); i++) {
            String predicted = predictions.get(i).path("value").asText();
            cm[names.indexOf(truth.get(i))][names.indexOf(predicted)]++;
            correct += predicted.equals(truth.get(i)) ? 1 : 0;
            logLoss -= Math.log(Math.min(1, Math.max(1e-15, predictions.get(i).path("scores").path(truth.get(i)).asDouble())));
        }
        JsonNode m = eval.path("metrics");
        assertEquals(correct / 4454.0, m.path("accuracy").asDouble(), 1e-12, m.toString());
        assertEquals(logLoss / 4454, m.path("log_loss").asDouble(), 1e-12);
        assertEquals(names, textList(eval.path("confusionMatrix").path("labels")));
        for (int t = 0; t < names.size(); t++) {
            for (int p = 0; p < names.size(); p++) {
                assertEquals(cm[t][p], eval.path("confusionMatrix").path("matrix").get(t).get(p).asLong(), "cell " + t + "," + p);
            }
        }
        double f1Macro = 0;
        double auc = 0;
        for (int c = 0; c < names.size(); c++) {
            long tp = cm[c][c];
            long predictedC = 0;
            long actualC = 0;
            for (int j = 0; j < names.size(); j++) {
                predictedC += cm[j][c];
                actualC += cm[c][j];
            }
            double precision = tp / (double) predictedC;
            double recall = tp / (double) actualC;
            JsonNode perClass = eval.path("perClass").path(names.get(c));
            assertEquals(precision, perClass.path("precision").asDouble(), 1e-12);
            assertEquals(recall, perClass.path("recall").asDouble(), 1e-12);
            f1Macro += 2 * precision * recall / (precision + recall) / names.size();
            auc += pairwiseAuc(truth, predictions, names.get(c)) / names.size();
        }
        assertEquals(f1Macro, m.path("f1_macro").asDouble(), 1e-12);
        assertEquals(auc, m.path("roc_auc").asDouble(), 1e-9, "ROC-AUC by pairs equals the rank-sum figure");

        // the worst row is the one with the highest log loss by hand
        TreeMap<Double, Integer> byLoss = new TreeMap<>();
        for (int i = 0; i < truth.size(); i++) {
            byLoss.putIfAbsent(-Math.log(Math.max(1e-15, predictions.get(i).path("scores").path(truth.get(i)).asDouble())), i);
        }
        JsonNode worst = eval.path("worstPredictions").get(0);
        assertEquals(byLoss.lastEntry().getKey(), worst.path("logLoss").asDouble(), 1e-12, worst.toString());
        assertEquals((int) byLoss.lastEntry().getValue(), worst.path("row").asInt(), worst.toString());

        // tracked as a run of the model's experiment, by the caller, with what was evaluated
        JsonNode tracking = eval.path("tracking");
        JsonNode run = cogwork.get("/api/runs/" + tracking.path("runId").asText()).json();
        assertEquals("FINISHED", run.path("status").asText(), run.toString());
        assertEquals("dana", run.path("tags").path("mlflow.user").asText());
        JsonNode experiment = cogwork.get("/api/experiments/" + run.path("experimentId").asText()).json();
        assertEquals("credit-eval", experiment.path("name").asText(), experiment.toString());
        assertEquals("credit-eval", run.path("params").path("model").asText());
        assertEquals("1", run.path("params").path("version").asText());
        assertEquals("data", run.path("params").path("source").asText());
        assertEquals("credit_data.csv", run.path("params").path("dataset").asText());
        assertEquals("4454", run.path("params").path("rows").asText());
        assertEquals(m.path("accuracy").asDouble(), run.path("metrics").path("accuracy").path("value").asDouble(), 0);
        Cogwork.Response details = cogwork.get("/api/runs/" + run.path("id").asText() + "/artifacts/evaluation/evaluation.json");
        assertEquals(200, details.status(), details.body());
        assertEquals(eval.path("confusionMatrix"), Cogwork.JSON.readTree(details.body()).path("confusionMatrix"));
    }

    @Test
    void hostileEvaluationsAreRefusedNamingTheField() throws Exception {
        JsonNode job = train("""
                {"name": "credit-hostile", "source": "data", "dataset": "credit_data.csv", "target": "Status",
                 "engine": "tribuo", "algorithm": "logistic", "seed": 3, "register": {"model": "credit-hostile"}}""");
        String experiment = job.path("result").path("tracking").path("experimentId").asText();
        String ok = "{\"source\": \"data\", \"dataset\": \"credit_data.csv\"}";
        int runsBefore = runs(experiment);

        Cogwork.Response noTarget = evaluate(dana, "credit-hostile", "1", "{\"source\": \"local\", \"dataset\": \"credit_no_status.csv\"}");
        TrainingApiTest.assertField(noTarget, "dataset");
        assertTrue(noTarget.json().path("error").asText().startsWith("column 'Status' (the model's target) is not in credit_no_status.csv"),
                noTarget.body());
        Cogwork.Response noFeatures = evaluate(dana, "credit-hostile", "1", "{\"source\": \"data\", \"dataset\": \"concrete.csv\"}");
        TrainingApiTest.assertField(noFeatures, "dataset");
        assertTrue(noFeatures.json().path("error").asText().contains("(a feature of the model) is not in concrete.csv"), noFeatures.body());
        Cogwork.Response textForNumbers = evaluate(dana, "credit-hostile", "1",
                "{\"source\": \"local\", \"dataset\": \"credit_words_for_age.csv\"}");
        TrainingApiTest.assertField(textForNumbers, "dataset");
        assertTrue(textForNumbers.json().path("error").asText().startsWith("column 'Age' (a feature of the model) is ")
                && textForNumbers.json().path("error").asText().endsWith(" in credit_words_for_age.csv but INT in the model's "
                + "training data: it must hold numbers"), textForNumbers.body());

        assertEquals(404, evaluate(dana, "credit-hostile", "99", ok).status(), "unknown version");
        assertEquals(404, evaluate(dana, "no-such-model", "1", ok).status(), "unknown model");
        TrainingApiTest.assertField(evaluate(dana, "credit-hostile", "one", ok), "version");
        TrainingApiTest.assertField(evaluate(dana, "credit-hostile", "0", ok), "version");
        TrainingApiTest.assertField(evaluate(dana, "credit-hostile", "1",
                "{\"source\": \"data\", \"dataset\": \"credit_data.csv\", \"query\": {\"wher\": {}}}"), "query.wher");
        TrainingApiTest.assertField(evaluate(dana, "credit-hostile", "1",
                "{\"source\": \"data\", \"dataset\": \"credit_data.csv\", \"query\": {\"where\": {\"column\": \"Agee\", \"op\": \">\", \"value\": 1}}}"),
                "query");
        TrainingApiTest.assertField(evaluate(dana, "credit-hostile", "1",
                "{\"source\": \"data\", \"dataset\": \"credit_data.csv\", \"query\": {\"where\": {\"column\": \"Age\", \"op\": \">\", \"value\": \"old\"}}}"),
                "query");
        TrainingApiTest.assertField(evaluate(dana, "credit-hostile", "1",
                "{\"source\": \"data\", \"dataset\": \"credit_data.csv\", \"query\": \"Age > 3\"}"), "query");
        TrainingApiTest.assertField(evaluate(dana, "credit-hostile", "1", "{\"source\": \"warehouse\", \"dataset\": \"credit_data.csv\"}"),
                "source");
        TrainingApiTest.assertField(evaluate(dana, "credit-hostile", "1", "{\"source\": \"data\", \"dataset\": \"nope.csv\"}"), "dataset");
        TrainingApiTest.assertField(evaluate(dana, "credit-hostile", "1", "{\"dataset\": \"credit_data.csv\"}"), "source");
        TrainingApiTest.assertField(evaluate(dana, "credit-hostile", "1", ok.replace("}", ", \"author\": \"mallory\"}")), "author");
        TrainingApiTest.assertField(evaluate(dana, "credit-hostile", "1",
                "{\"source\": \"data\", \"dataset\": \"credit_data.csv\", \"query\": {\"where\": {\"column\": \"Age\", \"op\": \">\", \"value\": 1000}}}"),
                "query");
        assertEquals(runsBefore + 1, runs(experiment), "only the request that got as far as reading rows left a (failed) run");

        String integrator = Cogwork.basic("ivy", "pw-ivy-secret-1");
        assertEquals(201, cogwork.post("/api/users", "{\"name\": \"ivy\", \"role\": \"integrator\", \"password\": \"pw-ivy-secret-1\"}"
                .getBytes(StandardCharsets.UTF_8), "application/json").status());
        assertEquals(403, evaluate(integrator, "credit-hostile", "1", ok).status(), "integrators predict; they do not evaluate");
        assertEquals(200, evaluate(Cogwork.ADMIN, "credit-hostile", "1", ok).status(), "admins may");
    }

    /** Runs of an experiment, counted through the runs API. */
    static int runs(String experiment) throws Exception {
        JsonNode r = cogwork.get("/api/runs?max=1000&experiment=" + experiment).json();
        return r.path("runs").size();
    }

    static List<String> textList(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    /** One-vs-rest ROC-AUC of {@code label} by its definition: the chance a positive outscores a negative (ties half). */
    static double pairwiseAuc(List<String> truth, List<JsonNode> predictions, String label) {
        List<Double> pos = new ArrayList<>();
        List<Double> neg = new ArrayList<>();
        for (int i = 0; i < truth.size(); i++) {
            double s = predictions.get(i).path("scores").path(label).asDouble(0);
            (truth.get(i).equals(label) ? pos : neg).add(s);
        }
        double wins = 0;
        for (double p : pos) {
            for (double n : neg) {
                wins += p > n ? 1 : p == n ? 0.5 : 0;
            }
        }
        return wins / ((double) pos.size() * neg.size());
    }
}
