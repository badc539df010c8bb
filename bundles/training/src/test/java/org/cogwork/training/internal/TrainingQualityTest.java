package org.cogwork.training.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.cogwork.api.training.JobStatus;
import org.cogwork.api.training.TrainingJob;
import org.cogwork.api.training.TrainingResult;
import org.cogwork.engine.baseline.BaselineEngine;
import org.cogwork.engine.tribuo.TribuoEngine;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Quality floors that a sound pipeline reaches on the real datasets, trained through the whole training
 * machinery (spec → pipeline fitted on the training part only → Tribuo → held-out metrics).
 */
class TrainingQualityTest {
    @TempDir
    static Path tmp;
    static Harness h;

    @BeforeAll
    static void setUp() {
        h = new Harness(tmp, 2, new TribuoEngine("test"), new BaselineEngine("test"));
    }

    @AfterAll
    static void tearDown() {
        h.close();
    }

    static TrainingResult result(String spec) throws Exception {
        TrainingJob job = h.run(spec, Duration.ofMinutes(5));
        assertEquals(JobStatus.SUCCEEDED, Harness.status(job), job.error());
        return job.result();
    }

    static double metric(TrainingResult result, String name) {
        double v = result.metrics().get(name);
        System.out.printf("measured: %s %s %s = %.4f%n", result.engine(), result.algorithm(), name, v);
        return v;
    }

    static final String CREDIT = """
            {"source": "data", "dataset": "credit_data.csv", "target": "Status",
             "pipeline": [{"transform": "impute", "params": {"strategy": "median", "indicator": true}},
                          {"transform": "impute", "params": {"strategy": "mode", "columns": ["Home", "Marital", "Job"]}},
                          {"transform": "expression", "params": {"expressions": {"amount_to_price": "Amount / Price",
                                                                                  "log_income": "log1p(Income)"}}},
                          {"transform": "impute", "params": {"strategy": "median", "columns": ["amount_to_price", "log_income"]}},
                          {"transform": "standardize"}],
             "engine": "tribuo", "algorithm": "logistic", "hyperparameters": {"epochs": 10}, "seed": 42}""";

    @Test
    void creditRiskClassifierBeatsTheMajorityAndIsReproducible() throws Exception {
        TrainingResult r = result(CREDIT);
        double accuracy = metric(r, "accuracy");
        assertTrue(accuracy >= 0.78, "credit logistic accuracy " + accuracy);
        double auc = metric(r, "roc_auc");
        assertTrue(auc >= 0.80, "credit ROC-AUC " + auc);
        assertTrue(accuracy > 640 / 891.0, "beats always saying 'good'");
        assertEquals(r.metrics(), result(CREDIT).metrics(), "same spec and seed → identical metrics");
    }

    @Test
    void concreteRegression() throws Exception {
        TrainingResult r = result("""
                {"source": "data", "dataset": "concrete.csv", "target": "compressive_strength",
                 "engine": "tribuo", "algorithm": "random-forest", "hyperparameters": {"numTrees": 40}, "seed": 1}""");
        double r2 = metric(r, "r2");
        double rmse = metric(r, "rmse");
        assertTrue(r2 >= 0.8, "concrete random forest R² " + r2);
        assertTrue(rmse < 8, "RMSE in MPa " + rmse);
        assertEquals(10, r.worstPredictions().size());
    }

    @Test
    void imdbTextClassifierWithTfidfAndLogistic() throws Exception {
        TrainingResult r = result("""
                {"source": "data", "dataset": "imdb_reviews_2k.csv", "target": "sentiment", "features": ["review"],
                 "pipeline": [{"transform": "tfidf", "params": {"ngrams": 2, "maxFeatures": 20000, "minDf": 2}}],
                 "engine": "tribuo", "algorithm": "logistic", "hyperparameters": {"epochs": 15}, "seed": 42}""");
        double accuracy = metric(r, "accuracy");
        assertTrue(accuracy > 0.80, "IMDB 2k TF-IDF + logistic accuracy " + accuracy);
    }

    @Test
    void chicagoRidershipWithTimeFeaturesAndATimeSplit() throws Exception {
        TrainingResult r = result("""
                {"source": "data", "dataset": "chicago_ridership.csv", "target": "ridership",
                 "query": {"orderBy": [{"column": "date"}]},
                 "pipeline": [{"transform": "lag", "params": {"columns": ["ridership"], "lags": [1, 7], "orderBy": "date"}},
                              {"transform": "rolling", "params": {"columns": ["ridership"], "windows": [7], "orderBy": "date"}},
                              {"transform": "calendar", "params": {"calendar": "us"}},
                              {"transform": "impute", "params": {"strategy": "median"}}],
                 "split": {"method": "time", "timeColumn": "date", "testFraction": 0.2},
                 "engine": "tribuo", "algorithm": "random-forest", "hyperparameters": {"numTrees": 30}, "seed": 5}""");
        double r2 = metric(r, "r2");
        assertTrue(r2 >= 0.85, "Chicago ridership R² on the latest 20% of days " + r2);
        assertEquals(1140, r.rows().test(), "the latest 20% of 5,698 days");
    }

    @Test
    void gridSearchAndCrossValidatedModelSelection() throws Exception {
        TrainingResult r = result("""
                {"source": "data", "dataset": "credit_data.csv", "target": "Status",
                 "pipeline": [{"transform": "impute", "params": {"strategy": "median"}}],
                 "candidates": [{"engine": "tribuo", "algorithm": "cart", "space": {"maxDepth": [2, 6]}},
                                {"engine": "baseline", "algorithm": "majority"}],
                 "crossValidation": {"folds": 3}, "search": {"metric": "roc_auc"}, "seed": 9}""");
        assertEquals("tribuo", r.engine(), "a tree beats the majority class on ROC-AUC");
        assertEquals(3, r.search().size());
        TrainingResult.CrossValidationScores cv = r.crossValidation();
        assertEquals(3, cv.folds());
        assertTrue(cv.std().containsKey("accuracy"));
    }
}
