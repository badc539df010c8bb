package org.cogwork.features.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.cogwork.api.data.DataType;
import org.cogwork.api.data.Dataset;
import org.cogwork.api.data.Row;
import org.cogwork.api.data.RowCursor;
import org.cogwork.api.data.Schema;
import org.cogwork.api.data.Vector;
import org.cogwork.api.feature.FeatureTransform;
import org.osgi.service.component.annotations.Component;

/**
 * Text extraction: each TEXT column becomes a sparse TF-IDF {@link Vector} column of the same name. Text is
 * cleaned (HTML tags such as {@code <br />} removed, lowercased), tokenised into words and n-grams up to
 * {@code ngrams}, English stop words dropped ({@code stopWords: "none"} keeps them). The vocabulary is the
 * {@code maxFeatures} terms in at least {@code minDf} training documents, or with {@code hashing: true} terms
 * are hashed into {@code maxFeatures} buckets (no vocabulary to store). Term frequency is sublinear
 * ({@code 1 + log tf}), idf smoothed, vectors L2-normalised.
 */
@Component(service = FeatureTransform.class, property = FeatureTransform.TRANSFORM_NAME + "=tfidf")
public final class TfIdf extends Transform {
    static final Set<String> ENGLISH = Set.of(("a about above after again against all am an and any are as at be because "
            + "been before being below between both but by can could did do does doing down during each few for from further "
            + "had has have having he her here hers herself him himself his how i if in into is it its itself just me more "
            + "most my myself no nor not now of off on once only or other our ours ourselves out over own same she should so "
            + "some such than that the their theirs them themselves then there these they this those through to too under "
            + "until up very was we were what when where which while who whom why will with you your yours yourself "
            + "yourselves br s t").split(" "));

    public TfIdf() {
        super("tfidf", Param.columns(), Param.whole("ngrams", 1), Param.whole("maxFeatures", 1), Param.whole("minDf", 1),
                Param.oneOf("stopWords", "english", "none"), Param.flag("hashing"), Param.flag("lowercase"), Param.flag("stripHtml"));
    }

    /**
     * How texts become terms: words are runs of letters and digits (Unicode's L and N), with an apostrophe and letters
     * kept ("don't"), as the pattern {@code [\p{L}\p{N}]+(?:'\p{L}+)?} finds them after HTML tags are replaced by
     * spaces; scanned by hand (the pattern was a fifth of fitting and applying TF-IDF; TransformsTest compares the two
     * on every IMDB review), then n-grams of the words that are not stop words.
     */
    record Settings(int ngrams, boolean stop, boolean lowercase, boolean stripHtml) {
        /** Unicode's letters and numbers, as the pattern classes \p{L} and \p{N}. */
        static boolean letterOrNumber(int c) {
            if (Character.isLetter(c)) {
                return true;
            }
            int type = Character.getType(c);
            return type == Character.DECIMAL_DIGIT_NUMBER || type == Character.LETTER_NUMBER || type == Character.OTHER_NUMBER;
        }

        List<String> terms(String text) {
            String t = lowercase ? text.toLowerCase(Locale.ROOT) : text; // changes neither '<' nor '>'
            List<String> words = new ArrayList<>();
            int n = t.length();
            int i = 0;
            while (i < n) {
                int c = t.codePointAt(i);
                if (c == '<' && stripHtml) {
                    int close = t.indexOf('>', i + 1);
                    if (close > 0) { // a tag separates words, as the space it is replaced with did
                        i = close + 1;
                        continue;
                    }
                }
                if (!letterOrNumber(c)) {
                    i += Character.charCount(c);
                    continue;
                }
                int start = i;
                while (i < n && letterOrNumber(c = t.codePointAt(i))) {
                    i += Character.charCount(c);
                }
                if (i + 1 < n && t.charAt(i) == '\'' && Character.isLetter(t.codePointAt(i + 1))) { // "don't", "film's"
                    i++;
                    while (i < n && Character.isLetter(c = t.codePointAt(i))) {
                        i += Character.charCount(c);
                    }
                }
                String w = t.substring(start, i);
                if (!stop || !ENGLISH.contains(w)) {
                    words.add(w);
                }
            }
            List<String> out = new ArrayList<>(words.size() * ngrams);
            out.addAll(words);
            StringBuilder gram = new StringBuilder();
            for (int size = 2; size <= ngrams; size++) {
                for (int first = 0; first + size <= words.size(); first++) {
                    gram.setLength(0);
                    gram.append(words.get(first));
                    for (int j = first + 1; j < first + size; j++) {
                        gram.append(' ').append(words.get(j));
                    }
                    out.add(gram.toString());
                }
            }
            return out;
        }
    }

    @Override
    Fitted fit(Schema input, Dataset data, Params p) {
        List<String> cols = p.columns(input, t -> t == DataType.TEXT || t == DataType.STRING, "text");
        if (cols.isEmpty()) {
            throw p.error("columns", "no TEXT column to extract from");
        }
        String stopWords = p.string("stopWords", "english");
        Settings s = new Settings(p.integer("ngrams", 1), stopWords.equals("english"), p.flag("lowercase", true),
                p.flag("stripHtml", true));
        int maxFeatures = p.integer("maxFeatures", 20_000);
        int minDf = p.integer("minDf", 2);
        boolean hashing = p.flag("hashing", false);
        Map<String, Map<String, Integer>> vocab = new LinkedHashMap<>();
        Map<String, double[]> idf = new LinkedHashMap<>();
        for (String col : cols) {
            Map<String, Integer> df = new HashMap<>();
            int[] bucketDf = new int[hashing ? maxFeatures : 0];
            long docs = 0;
            int i = input.indexOf(col);
            try (RowCursor c = data.open()) {
                while (c.hasNext()) {
                    Object text = c.next().get(i);
                    if (text == null) {
                        continue;
                    }
                    docs++;
                    for (String term : new HashSet<>(s.terms(text.toString()))) {
                        if (hashing) {
                            bucketDf[bucket(term, maxFeatures)]++;
                        } else {
                            df.merge(term, 1, Integer::sum);
                        }
                    }
                }
            }
            Map<String, Integer> v = new HashMap<>();
            double[] weights;
            if (hashing) {
                weights = new double[maxFeatures];
                for (int k = 0; k < maxFeatures; k++) {
                    weights[k] = Math.log((1.0 + docs) / (1.0 + bucketDf[k])) + 1;
                }
            } else {
                List<Map.Entry<String, Integer>> kept = df.entrySet().stream().filter(e -> e.getValue() >= minDf)
                        .sorted(Map.Entry.<String, Integer>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                        .limit(maxFeatures).toList();
                List<String> terms = kept.stream().map(Map.Entry::getKey).sorted().toList();
                weights = new double[terms.size()];
                for (int k = 0; k < terms.size(); k++) {
                    v.put(terms.get(k), k);
                    weights[k] = Math.log((1.0 + docs) / (1.0 + df.get(terms.get(k)))) + 1;
                }
            }
            vocab.put(col, v);
            idf.put(col, weights);
        }
        return new Extracted(input, s, hashing, vocab, idf);
    }

    static int bucket(String term, int buckets) {
        return Math.floorMod(term.hashCode() * 0x9E3779B9, buckets);
    }

    @Override
    Fitted restore(Schema input, JsonNode st) {
        Settings s = new Settings(st.path("ngrams").asInt(), st.path("stopWords").asBoolean(), st.path("lowercase").asBoolean(),
                st.path("stripHtml").asBoolean());
        Map<String, Map<String, Integer>> vocab = new LinkedHashMap<>();
        Map<String, double[]> idf = new LinkedHashMap<>();
        st.path("columns").fields().forEachRemaining(e -> {
            JsonNode terms = e.getValue().path("terms");
            Map<String, Integer> v = new HashMap<>(terms.size() * 2);
            for (int k = 0; k < terms.size(); k++) {
                v.put(terms.get(k).asText(), k);
            }
            vocab.put(e.getKey(), v);
            idf.put(e.getKey(), State.JSON.convertValue(e.getValue().path("idf"), double[].class));
        });
        return new Extracted(input, s, st.path("hashing").asBoolean(), vocab, idf);
    }

    final class Extracted extends Fitted {
        private final Settings settings;
        private final boolean hashing;
        private final Map<String, Map<String, Integer>> vocab;
        private final Map<String, double[]> idf;
        private final Schema output;
        private final int[] positions;

        Extracted(Schema input, Settings settings, boolean hashing, Map<String, Map<String, Integer>> vocab,
                  Map<String, double[]> idf) {
            super(input);
            this.settings = settings;
            this.hashing = hashing;
            this.vocab = vocab;
            this.idf = idf;
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
            int k = 0;
            for (Map.Entry<String, Map<String, Integer>> e : vocab.entrySet()) {
                int p = positions[k++];
                Object text = v[p];
                v[p] = vector(text == null ? "" : text.toString(), e.getValue(), idf.get(e.getKey()));
            }
            return new Row(output, v);
        }

        private Vector vector(String text, Map<String, Integer> terms, double[] weights) {
            int dim = weights.length;
            List<String> all = settings.terms(text);
            int[] hits = new int[all.size()];
            int found = 0;
            for (String term : all) {
                Integer idx = hashing ? (Integer) bucket(term, dim) : terms.get(term);
                if (idx != null) {
                    hits[found++] = idx;
                }
            }
            // sorted term indices; a run of one index is its count in the text
            Arrays.sort(hits, 0, found);
            int distinct = 0;
            for (int i = 0; i < found; i++) {
                if (i == 0 || hits[i] != hits[i - 1]) {
                    distinct++;
                }
            }
            int[] idx = new int[distinct];
            double[] val = new double[distinct];
            double norm = 0;
            int j = 0;
            for (int i = 0; i < found; ) {
                int run = i;
                while (run < found && hits[run] == hits[i]) {
                    run++;
                }
                idx[j] = hits[i];
                val[j] = (1 + Math.log(run - i)) * weights[hits[i]];
                norm += val[j] * val[j];
                j++;
                i = run;
            }
            double n = Math.sqrt(norm);
            if (n > 0) {
                for (int i = 0; i < val.length; i++) {
                    val[i] /= n;
                }
            }
            return Vector.sparse(dim, idx, val);
        }

        @Override
        ObjectNode state() {
            ObjectNode s = State.JSON.createObjectNode();
            s.put("ngrams", settings.ngrams()).put("stopWords", settings.stop()).put("lowercase", settings.lowercase())
                    .put("stripHtml", settings.stripHtml()).put("hashing", hashing);
            ObjectNode cols = s.putObject("columns");
            vocab.forEach((col, terms) -> {
                ObjectNode c = cols.putObject(col);
                String[] ordered = new String[terms.size()];
                terms.forEach((t, i) -> ordered[i] = t);
                Arrays.stream(ordered).forEach(c.putArray("terms")::add);
                c.set("idf", State.JSON.valueToTree(idf.get(col)));
            });
            return s;
        }
    }
}
