package org.cogwork.features.embeddings;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The reference: langchain4j's AllMiniLmL6V2EmbeddingModel (DJL's native HuggingFace tokenizer, the same ONNX file)
 * embeds the same sentences as this bundle's plain-Java tokenizer and pooling, to float precision.
 */
class ReferenceTest {
    static final String LONG = ("The film opens on a quiet harbour town where nothing much happens, and for the first forty minutes "
            + "that is exactly what we get: long takes of fishermen, gulls, a lighthouse keeper who says maybe three words. ").repeat(6);
    static final List<String> SENTENCES = List.of(
            "A man is playing a guitar.",
            "The café served crème brûlée, naïve as it sounds — déjà vu!",
            "I paid $1,234.56 on 2024-03-07 for 3 tickets (at 10:30pm).",
            "Supercalifragilisticexpialidocious zxqvbnmlk flibbertigibbet",
            "This movie was terrible... don't waste your time!!! <br /><br />Seriously.",
            "東京は日本の首都です。 Tokyo is the capital.",
            "Emoji 😀 and symbols ™ © ½ ∑ should not break it",
            "    leading and trailing\twhitespace\nand newlines   ",
            "UPPER CASE and MiXeD cAsE words, e-mail: someone@example.com #hashtag",
            "It's an A+ performance; honestly, 10/10 would watch again.");

    @Test
    void vectorsAndTokenIdsAgreeWithLangchain4j() throws Exception {
        AllMiniLmL6V2EmbeddingModel reference = new AllMiniLmL6V2EmbeddingModel();
        MiniLm model = SentenceEmbedding.model();
        HuggingFaceTokenizer djl;
        try (InputStream in = MiniLm.resource(MiniLm.TOKENIZER)) {
            djl = HuggingFaceTokenizer.newInstance(in, Map.of("padding", "false", "truncation", "false"));
        }
        double worstCos = 1;
        double worstDiff = 0;
        for (String s : SENTENCES) {
            Encoding enc = djl.encode(s, true, false);
            long[] ours = model.tokenizer().encode(s, SentenceEmbedding.MAX_TOKENS);
            assertArrayEquals(enc.getIds(), ours, "token ids of '" + s + "': " + model.tokenizer().tokens(s));
            float[] a = reference.embed(s).content().vector();
            float[] b = model.embed(s, SentenceEmbedding.MAX_TOKENS);
            double cos = 0;
            double diff = 0;
            for (int i = 0; i < a.length; i++) {
                cos += a[i] * b[i];
                diff = Math.max(diff, Math.abs(a[i] - b[i]));
            }
            System.out.printf("cos %.7f  max|diff| %.2e  %d tokens  %s%n", cos, diff, ours.length, s);
            worstCos = Math.min(worstCos, cos);
            worstDiff = Math.max(worstDiff, diff);
        }
        // a long text (260 tokens): langchain4j's DJL tokenizer keeps tokenizer.json's truncation (max_length 128), so
        // langchain4j embeds its first 128 tokens ([CLS] and [SEP] included): the same as maxTokens 128 here
        float[] a = reference.embed(LONG).content().vector();
        float[] b = model.embed(LONG, 128);
        double cos = 0;
        double diff = 0;
        for (int i = 0; i < a.length; i++) {
            cos += a[i] * b[i];
            diff = Math.max(diff, Math.abs(a[i] - b[i]));
        }
        float[] truncated = model.embed(LONG, SentenceEmbedding.DEFAULT_MAX_TOKENS);
        double cosTrunc = 0;
        for (int i = 0; i < a.length; i++) {
            cosTrunc += a[i] * truncated[i];
        }
        System.out.printf("long text %d tokens: cos %.7f max|diff| %.2e at maxTokens 128; cos %.5f to langchain4j at 256%n",
                model.tokenizer().encode(LONG, 512).length, cos, diff, cosTrunc);
        worstCos = Math.min(worstCos, cos);
        worstDiff = Math.max(worstDiff, diff);
        System.out.printf("worst: cos %.7f, max|diff| %.2e%n", worstCos, worstDiff);
        assertTrue(worstCos > 0.9999, "cosine " + worstCos);
        assertTrue(worstDiff < 1e-4, "max abs difference " + worstDiff);
        float[] g = model.embed("A man is playing a guitar.", 256);
        StringBuilder p = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            p.append(g[i]).append("f, ");
        }
        System.out.println("guitar first 8: " + p);
    }
}
