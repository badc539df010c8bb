package org.cogwork.features.embeddings;

import java.util.List;
import java.util.Map;
import org.cogwork.api.feature.FeatureTransform;
import org.cogwork.transform.contract.TransformContract;

/**
 * The transform contract suite on imdb_reviews_2k.csv's reviews. The suite takes a whole shared file (no subset), so
 * the reviews are cut to their first 32 tokens to keep its few thousand embeddings quick.
 */
class SentenceEmbeddingContractTest extends TransformContract {
    @Override
    protected FeatureTransform transform() {
        return new SentenceEmbedding();
    }

    @Override
    protected Map<String, Object> params() {
        return Map.of("columns", List.of("review"), "maxTokens", 32);
    }

    @Override
    protected String dataset() {
        return "imdb_reviews_2k.csv";
    }

    @Override
    protected String target() {
        return "sentiment";
    }
}
