package org.cogwork.features.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.cogwork.api.data.DataType;
import org.cogwork.api.data.Dataset;
import org.cogwork.api.data.Row;
import org.cogwork.api.data.RowCursor;
import org.cogwork.api.data.Schema;
import org.cogwork.api.data.Vector;
import org.cogwork.api.feature.FeatureTransform;
import org.osgi.service.component.annotations.Component;

/**
 * Token ids for neural text models: each TEXT column becomes a dense {@link Vector} of {@code maxLength} token
 * ids, the first words of the text in order. Id 0 is padding, 1 an unknown word, 2 and up the {@code maxFeatures}
 * most frequent words of at least {@code minDf} training documents. Words are cleaned as by {@code tfidf}
 * (HTML stripped, lowercased, stop words kept by default since word order and negations matter to such models).
 */
@Component(service = FeatureTransform.class, property = FeatureTransform.TRANSFORM_NAME + "=tokens")
public final class Tokens extends Transform {
    static final int PAD = 0;
    static final int UNKNOWN = 1;

    public Tokens() {
        super("tokens", Param.columns(), Param.whole("maxLength", 1), Param.whole("maxFeatures", 1), Param.whole("minDf", 1),
                Param.oneOf("stopWords", "english", "none"), Param.flag("lowercase"), Param.flag("stripHtml"));
    }

    @Override
    Fitted fit(Schema input, Dataset data, Params p) {
        List<String> cols = p.columns(input, t -> t == DataType.TEXT || t == DataType.STRING, "text");
        if (cols.isEmpty()) {
            throw p.error("columns", "no TEXT column to tokenise");
        }
        String stopWords = p.string("stopWords", "none");
        TfIdf.Settings s = new TfIdf.Settings(1, stopWords.equals("english"), p.flag("lowercase", true), p.flag("stripHtml", true));
        int maxLength = p.integer("maxLength", 256);
        int maxFeatures = p.integer("maxFeatures", 20_000);
        int minDf = p.integer("minDf", 2);
        Map<String, List<String>> vocab = new LinkedHashMap<>();
        for (String col : cols) {
            Map<String, Integer> df = new HashMap<>();
            int i = input.indexOf(col);
            try (RowCursor c = data.open()) {
                while (c.hasNext()) {
                    Object text = c.next().get(i);
                    if (text != null) {
                        for (String term : new HashSet<>(s.terms(text.toString()))) {
                            df.merge(term, 1, Integer::sum);
                        }
                    }
                }
            }
            vocab.put(col, df.entrySet().stream().filter(e -> e.getValue() >= minDf)
                    .sorted(Map.Entry.<String, Integer>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                    .limit(maxFeatures).map(Map.Entry::getKey).toList());
        }
        return new Tokenised(input, s, maxLength, vocab);
    }

    @Override
    Fitted restore(Schema input, JsonNode st) {
        TfIdf.Settings s = new TfIdf.Settings(1, st.path("stopWords").asBoolean(), st.path("lowercase").asBoolean(),
                st.path("stripHtml").asBoolean());
        Map<String, List<String>> vocab = new LinkedHashMap<>();
        st.path("columns").fields().forEachRemaining(e -> {
            List<String> words = new ArrayList<>();
            e.getValue().forEach(w -> words.add(w.asText()));
            vocab.put(e.getKey(), words);
        });
        return new Tokenised(input, s, st.path("maxLength").asInt(), vocab);
    }

    final class Tokenised extends Fitted {
        private final TfIdf.Settings settings;
        private final int maxLength;
        private final Map<String, List<String>> vocab;
        private final List<Map<String, Integer>> ids = new ArrayList<>();
        private final int[] positions;
        private final Schema output;

        Tokenised(Schema input, TfIdf.Settings settings, int maxLength, Map<String, List<String>> vocab) {
            super(input);
            this.settings = settings;
            this.maxLength = maxLength;
            this.vocab = vocab;
            for (List<String> words : vocab.values()) {
                Map<String, Integer> m = new HashMap<>();
                for (int k = 0; k < words.size(); k++) {
                    m.put(words.get(k), k + 2);
                }
                ids.add(m);
            }
            this.positions = vocab.keySet().stream().mapToInt(input::indexOf).toArray();
            this.output = vectorsAt(input, positions);
        }

        @Override
        public Schema outputSchema() {
            return output;
        }

        @Override
        public Row apply(Row row) {
            Object[] v = row.values();
            for (int k = 0; k < positions.length; k++) {
                Object text = v[positions[k]];
                double[] seq = new double[maxLength];
                if (text != null) {
                    List<String> terms = settings.terms(text.toString());
                    for (int j = 0; j < Math.min(maxLength, terms.size()); j++) {
                        seq[j] = ids.get(k).getOrDefault(terms.get(j), UNKNOWN);
                    }
                }
                v[positions[k]] = Vector.dense(seq);
            }
            return new Row(output, v);
        }

        @Override
        ObjectNode state() {
            ObjectNode s = State.JSON.createObjectNode();
            s.put("stopWords", settings.stop()).put("lowercase", settings.lowercase()).put("stripHtml", settings.stripHtml())
                    .put("maxLength", maxLength);
            ObjectNode cols = s.putObject("columns");
            vocab.forEach((col, words) -> words.forEach(cols.putArray(col)::add));
            return s;
        }
    }
}
