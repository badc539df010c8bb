package org.cogwork.training.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.cogwork.api.engine.Prediction;
import org.junit.jupiter.api.Test;

/** Metrics against figures worked out by hand, fed one row at a time as a streamed evaluation feeds them. */
class MetricsTest {
    @Test
    @SuppressWarnings("unchecked")
    void classificationByHandWithAClassThatAppearsLate() {
        Metrics.Classifications c = new Metrics.Classifications();
        c.add("a", new Prediction("a", Map.of("a", 0.7, "b", 0.3)));
        c.add("b", new Prediction("a", Map.of("a", 0.6, "b", 0.4)));
        c.add("a", new Prediction("a", Map.of("a", 0.9, "b", 0.1)));
        c.add("b", new Prediction("b", Map.of("a", 0.2, "b", 0.8)));
        c.add("c", new Prediction("b", Map.of("b", 0.5, "c", 0.5)));
        Metrics.Evaluation e = c.evaluation();
        assertEquals(0.6, e.get("accuracy"), 1e-15);
        assertEquals(-(Math.log(0.7) + Math.log(0.4) + Math.log(0.9) + Math.log(0.8) + Math.log(0.5)) / 5, e.get("log_loss"), 1e-15);
        // one-vs-rest: a ranks both its rows above the rest (1), b wins 5 of 6 pairs, c's one row beats every 0 (1)
        assertEquals((1 + 5 / 6.0 + 1) / 3, e.get("roc_auc"), 1e-15);
        assertEquals((2 / 3.0 + 0.5 + 0) / 3, e.get("precision_macro"), 1e-15);
        assertEquals((1 + 0.5 + 0) / 3, e.get("recall_macro"), 1e-15);
        assertEquals(List.of("a", "b", "c"), e.confusionMatrix().labels());
        assertEquals(List.of(List.of(2L, 0L, 0L), List.of(1L, 1L, 0L), List.of(0L, 1L, 0L)), e.confusionMatrix().matrix());
        // b: predicted twice, right once; three true rows of a, b and c: 2, 2, 1
        assertEquals(new org.cogwork.api.training.TrainingResult.ClassMetrics(0.5, 0.5, 0.5, 2), e.perClass().get("b"));
        assertEquals(List.of("a", "b", "c"), List.copyOf(e.perClass().keySet()));
    }

    @Test
    void withoutScoresThereIsNoLogLossOrAuc() {
        Metrics.Evaluation e = Metrics.classification(List.of("x", "y"), List.of(new Prediction("x", Map.of()), new Prediction("x", Map.of())));
        assertEquals(0.5, e.get("accuracy"));
        assertEquals(false, e.scalars().containsKey("log_loss") || e.scalars().containsKey("roc_auc"), e.scalars().toString());
    }

    @Test
    void regressionByHand() {
        Metrics.Regressions r = new Metrics.Regressions();
        r.add(1, 2);
        r.add(2, 2);
        r.add(3, 5);
        Metrics.Evaluation e = r.evaluation();
        assertEquals(5 / 3.0, e.get("mse"), 1e-15);
        assertEquals(1.0, e.get("mae"), 1e-15);
        assertEquals(1 - 5 / 2.0, e.get("r2"), 1e-15, "total sum of squares around the mean 2 is 2");
        assertEquals(null, e.perClass(), "no classes in a regression");
        assertEquals(null, e.confusionMatrix());
    }
}
