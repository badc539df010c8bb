package org.cogwork.features.embeddings;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.cogwork.api.data.Dataset;
import org.cogwork.api.data.Row;
import org.cogwork.api.engine.Model;
import org.cogwork.api.engine.Prediction;
import org.cogwork.api.engine.Task;
import org.cogwork.api.engine.TrainingContext;
import org.cogwork.api.engine.TrainingRequest;
import org.cogwork.api.feature.FeatureTransform;
import org.cogwork.api.feature.FittedTransform;
import org.cogwork.api.query.Query;
import org.cogwork.connector.file.FileSource;
import org.cogwork.connector.file.FileSourceConfig;
import org.cogwork.engine.tribuo.TribuoEngine;
import org.cogwork.features.internal.TfIdf;
import org.junit.jupiter.api.Test;
import org.osgi.util.converter.Converters;

/**
 * Quality on imdb_reviews_2k.csv (80/20, seed 42): LIBLINEAR logistic regression (Tribuo engine, C = 1) on the
 * sentence embeddings against the same on TF-IDF (words and bigrams, minDf 2). Printed; only a floor is asserted.
 */
class ImdbQualityTest {
    static final Path DATA = Path.of(System.getProperty("cogwork.data", "../../../shared/data")).toAbsolutePath().normalize();

    @Test
    void embeddingsAgainstTfIdfOnImdb2k() throws Exception {
        FileSource files = new FileSource(Converters.standardConverter().convert(
                Map.of("cogwork.source.id", "data", "path", DATA.toString())).to(FileSourceConfig.class));
        Dataset all = files.read("imdb_reviews_2k.csv", new Query(List.of("review", "sentiment"), null, List.of(), null, 0));
        List<Row> rows = new ArrayList<>(all.toList());
        Collections.shuffle(rows, new Random(42));
        int n = (int) Math.round(rows.size() * 0.8);
        Dataset train = Dataset.of(all.schema(), List.copyOf(rows.subList(0, n)));
        Dataset test = Dataset.of(all.schema(), List.copyOf(rows.subList(n, rows.size())));

        SentenceEmbedding.model().embed("warm-up", 16);
        long t0 = System.nanoTime();
        FittedTransform emb = new SentenceEmbedding().fit(train, Map.of("columns", List.of("review"), "target", "sentiment"));
        List<Row> embTrain = emb.apply(train).toList();
        List<Row> embTest = emb.apply(test).toList();
        double msPerReview = (System.nanoTime() - t0) / 1e6 / rows.size();
        double embAcc = accuracy(Dataset.of(emb.outputSchema(), embTrain), embTest, 1.0);
        double embAcc10 = accuracy(Dataset.of(emb.outputSchema(), embTrain), embTest, 10.0);

        FeatureTransform tfidf = new TfIdf();
        long t1 = System.nanoTime();
        FittedTransform tf = tfidf.fit(train, Map.of("columns", List.of("review"), "ngrams", 2, "minDf", 2, "target", "sentiment"));
        List<Row> tfTrain = tf.apply(train).toList();
        List<Row> tfTest = tf.apply(test).toList();
        double tfMs = (System.nanoTime() - t1) / 1e6 / rows.size();
        double tfAcc = accuracy(Dataset.of(tf.outputSchema(), tfTrain), tfTest, 1.0);
        double tfAcc10 = accuracy(Dataset.of(tf.outputSchema(), tfTrain), tfTest, 10.0);

        System.out.printf("imdb_reviews_2k (%d train / %d test, seed 42), liblinear-logistic C=1:%n", n, rows.size() - n);
        System.out.printf("  sentence-embedding (all-MiniLM-L6-v2, maxTokens 256): accuracy %.4f (C=10: %.4f), %.1f ms per review (1 thread)%n",
                embAcc, embAcc10, msPerReview);
        System.out.printf("  tfidf (ngrams 2, minDf 2):                            accuracy %.4f (C=10: %.4f), %.2f ms per review%n", tfAcc, tfAcc10, tfMs);
        assertTrue(embAcc > 0.70, "embedding accuracy " + embAcc);
    }

    private static double accuracy(Dataset train, List<Row> test, double c) throws Exception {
        TribuoEngine engine = new TribuoEngine("test");
        try (Model m = engine.train(new TrainingRequest(Task.CLASSIFICATION, "liblinear-logistic", Map.of("C", c), train, "sentiment", 42),
                TrainingContext.none())) {
            List<Prediction> p = m.predict(test);
            int right = 0;
            for (int i = 0; i < p.size(); i++) {
                if (p.get(i).value().equals(test.get(i).get("sentiment"))) {
                    right++;
                }
            }
            return right / (double) p.size();
        }
    }
}
