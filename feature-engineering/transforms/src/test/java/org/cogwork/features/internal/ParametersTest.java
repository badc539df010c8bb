package org.cogwork.features.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.cogwork.api.feature.PipelineStep;
import org.cogwork.api.problem.InvalidFieldException;
import org.junit.jupiter.api.Test;

/** Step parameters checked without data: what a training spec's submission refuses before any job runs. */
class ParametersTest {
    final PipelineService pipelines = BuiltIn.pipelineService();

    private InvalidFieldException refused(String transform, Map<String, Object> params) {
        return assertThrows(InvalidFieldException.class, () -> pipelines.validate(List.of(
                new PipelineStep("impute", Map.of()), new PipelineStep(transform, params))));
    }

    @Test
    void wrongTypesAndRangesNameTheStepAndParameter() {
        InvalidFieldException e = refused("tfidf", Map.of("maxFeatures", "lots"));
        assertEquals("pipeline[1].params.maxFeatures", e.field());
        assertEquals("pipeline[1] (tfidf): tfidf.maxFeatures: must be a whole number >= 1, was 'lots'", e.getMessage());
        assertEquals("pipeline[1].params.maxFeatures", refused("tfidf", Map.of("maxFeatures", 2.5)).field(), "no float as int");
        assertEquals("pipeline[1].params.ngrams", refused("tfidf", Map.of("ngrams", 0)).field());
        assertEquals("pipeline[1].params.hashing", refused("tfidf", Map.of("hashing", "true")).field(), "no string as boolean");
        assertEquals("pipeline[1].params.stopWords", refused("tfidf", Map.of("stopWords", "french")).field());
        assertEquals("pipeline[1].params.columns", refused("standardize", Map.of("columns", "Age")).field(), "columns is an array");
        assertEquals("pipeline[1].params.degree", refused("polynomial", Map.of("degree", 4)).field());
        assertEquals("pipeline[1].params.holidays", refused("calendar", Map.of("holidays", List.of("2024-13-01"))).field());
        assertEquals("pipeline[1].params.stats", refused("rolling", Map.of("columns", List.of("x"), "orderBy", "d",
                "stats", List.of("median"))).field());
    }

    @Test
    void unknownAndMissingParametersAndRulesBetweenThem() {
        InvalidFieldException unknown = refused("tfidf", Map.of("maxFeatres", 100));
        assertEquals("pipeline[1].params.maxFeatres", unknown.field());
        assertEquals("pipeline[1] (tfidf): tfidf: unknown parameter 'maxFeatres'; use [columns, ngrams, maxFeatures, minDf, "
                + "stopWords, hashing, lowercase, stripHtml]", unknown.getMessage());
        assertEquals("pipeline[1].params.orderBy", refused("lag", Map.of("columns", List.of("x"))).field(), "required");
        assertEquals("pipeline[1].params.value", refused("impute", Map.of("strategy", "constant")).field());
        assertEquals("pipeline[1].params.value", refused("impute", Map.of("strategy", "median", "value", 0)).field(),
                "a value the strategy ignores is refused, not dropped");
        assertEquals("pipeline[1].params.prefix", refused("vector", Map.of("prefix", "x", "columns", List.of("a"))).field());
        assertEquals("pipeline[1].params.columns", refused("concat", Map.of("columns", List.of("a"))).field());
        assertEquals("pipeline[1].params.columns", refused("concat", Map.of()).field());
        assertEquals("pipeline[1].params.separator", refused("concat", Map.of("columns", List.of("a", "b"), "separator", 3)).field());
        assertEquals("pipeline[1].transform", refused("pca", Map.of()).field());
    }

    @Test
    void goodParametersPassWithoutData() {
        pipelines.validate(List.of(new PipelineStep("tfidf", Map.of("ngrams", 2, "maxFeatures", 20000, "minDf", 2, "hashing", true)),
                new PipelineStep("impute", Map.of("strategy", "constant", "value", "unknown")),
                new PipelineStep("lag", Map.of("columns", List.of("ridership"), "lags", List.of(1, 7), "orderBy", "date")),
                new PipelineStep("target", Map.of("seed", 7, "smoothing", 2.5))));
    }
}
