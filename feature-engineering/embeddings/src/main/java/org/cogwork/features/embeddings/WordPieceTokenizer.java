package org.cogwork.features.embeddings;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * BERT's tokenizer as a HuggingFace {@code tokenizer.json} describes it, in plain Java: BertNormalizer (clean text,
 * CJK characters spaced, accents stripped, lowercased), BertPreTokenizer (split on whitespace, each punctuation
 * character a word of its own), WordPiece (greedy longest match, {@code ##} continuations, {@code [UNK]} for a word
 * that cannot be covered or is longer than {@code max_input_chars_per_word}) and {@code [CLS] ... [SEP]}. What the
 * Rust {@code tokenizers} library computes for all-MiniLM-L6-v2, without its native library. Thread-safe.
 */
final class WordPieceTokenizer {
    private final Map<String, Integer> vocab;
    private final String unk;
    private final String prefix;
    private final int maxCharsPerWord;
    private final boolean cleanText;
    private final boolean chineseChars;
    private final boolean stripAccents;
    private final boolean lowercase;
    private final int cls;
    private final int sep;
    private final int unkId;

    private WordPieceTokenizer(JsonNode json) throws IOException {
        JsonNode model = json.path("model");
        if (!"WordPiece".equals(model.path("type").asText()) || !"BertNormalizer".equals(json.path("normalizer").path("type").asText())
                || !"BertPreTokenizer".equals(json.path("pre_tokenizer").path("type").asText())) {
            throw new IOException("not a BERT WordPiece tokenizer.json");
        }
        vocab = new HashMap<>();
        model.path("vocab").fields().forEachRemaining(e -> vocab.put(e.getKey(), e.getValue().asInt()));
        unk = model.path("unk_token").asText("[UNK]");
        prefix = model.path("continuing_subword_prefix").asText("##");
        maxCharsPerWord = model.path("max_input_chars_per_word").asInt(100);
        JsonNode n = json.path("normalizer");
        cleanText = n.path("clean_text").asBoolean(true);
        chineseChars = n.path("handle_chinese_chars").asBoolean(true);
        lowercase = n.path("lowercase").asBoolean(true);
        // null: follow lowercase, as BertNormalizer does
        stripAccents = n.path("strip_accents").isBoolean() ? n.path("strip_accents").asBoolean() : lowercase;
        cls = id("[CLS]");
        sep = id("[SEP]");
        unkId = id(unk);
    }

    private int id(String token) throws IOException {
        Integer i = vocab.get(token);
        if (i == null) {
            throw new IOException("tokenizer.json has no " + token);
        }
        return i;
    }

    static WordPieceTokenizer read(InputStream in) throws IOException {
        return new WordPieceTokenizer(new ObjectMapper().readTree(in));
    }

    int vocabularySize() {
        return vocab.size();
    }

    /** The ids of {@code [CLS]}, the text's word pieces (the first {@code maxTokens - 2}) and {@code [SEP]}. */
    long[] encode(String text, int maxTokens) {
        List<Integer> pieces = new ArrayList<>();
        int room = maxTokens - 2;
        for (String word : preTokenize(normalize(text))) {
            if (pieces.size() >= room) {
                break;
            }
            wordPiece(word, pieces);
        }
        int n = Math.min(pieces.size(), room);
        long[] ids = new long[n + 2];
        ids[0] = cls;
        for (int i = 0; i < n; i++) {
            ids[i + 1] = pieces.get(i);
        }
        ids[n + 1] = sep;
        return ids;
    }

    /** The word pieces as strings, without the specials: for tests and explanations. */
    List<String> tokens(String text) {
        Map<Integer, String> byId = new HashMap<>();
        vocab.forEach((t, i) -> byId.put(i, t));
        List<Integer> pieces = new ArrayList<>();
        for (String word : preTokenize(normalize(text))) {
            wordPiece(word, pieces);
        }
        return pieces.stream().map(byId::get).toList();
    }

    String normalize(String text) {
        StringBuilder b = new StringBuilder(text.length() + 16);
        text.codePoints().forEach(c -> {
            if (cleanText) {
                if (c == 0 || c == 0xFFFD || isControl(c)) {
                    return;
                }
                if (isWhitespace(c)) {
                    b.append(' ');
                    return;
                }
            }
            if (chineseChars && isChinese(c)) {
                b.append(' ').appendCodePoint(c).append(' ');
            } else {
                b.appendCodePoint(c);
            }
        });
        String s = b.toString();
        if (stripAccents) {
            String d = Normalizer.normalize(s, Normalizer.Form.NFD);
            StringBuilder kept = new StringBuilder(d.length());
            d.codePoints().filter(c -> Character.getType(c) != Character.NON_SPACING_MARK).forEach(kept::appendCodePoint);
            s = kept.toString();
        }
        return lowercase ? s.toLowerCase(Locale.ROOT) : s;
    }

    static List<String> preTokenize(String text) {
        List<String> words = new ArrayList<>();
        StringBuilder w = new StringBuilder();
        text.codePoints().forEach(c -> {
            if (Character.isWhitespace(c) || Character.isSpaceChar(c)) {
                flush(w, words);
            } else if (isPunctuation(c)) {
                flush(w, words);
                words.add(new String(Character.toChars(c)));
            } else {
                w.appendCodePoint(c);
            }
        });
        flush(w, words);
        return words;
    }

    private static void flush(StringBuilder w, List<String> words) {
        if (w.length() > 0) {
            words.add(w.toString());
            w.setLength(0);
        }
    }

    private void wordPiece(String word, List<Integer> out) {
        int chars = word.codePointCount(0, word.length());
        if (chars > maxCharsPerWord) {
            out.add(unkId);
            return;
        }
        List<Integer> pieces = new ArrayList<>();
        int start = 0;
        while (start < word.length()) {
            int end = word.length();
            Integer found = null;
            while (start < end) {
                String sub = word.substring(start, end);
                if (start > 0) {
                    sub = prefix + sub;
                }
                found = vocab.get(sub);
                if (found != null) {
                    break;
                }
                end = word.offsetByCodePoints(end, -1);
            }
            if (found == null) {
                out.add(unkId);
                return;
            }
            pieces.add(found);
            start = end;
        }
        out.addAll(pieces);
    }

    /** The Rust tokenizers' {@code is_whitespace}: space, tab, newline, carriage return or a space separator. */
    private static boolean isWhitespace(int c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || Character.getType(c) == Character.SPACE_SEPARATOR;
    }

    /** Its {@code is_control}: categories Cc, Cf, Cn, Co (but tab, newline, carriage return are whitespace). */
    private static boolean isControl(int c) {
        if (c == '\t' || c == '\n' || c == '\r') {
            return false;
        }
        int t = Character.getType(c);
        return t == Character.CONTROL || t == Character.FORMAT || t == Character.UNASSIGNED || t == Character.PRIVATE_USE;
    }

    /** ASCII punctuation (symbols such as $ + < = > ^ ` | ~ included) or a Unicode punctuation category. */
    static boolean isPunctuation(int c) {
        if (c >= 33 && c <= 47 || c >= 58 && c <= 64 || c >= 91 && c <= 96 || c >= 123 && c <= 126) {
            return true;
        }
        int t = Character.getType(c);
        return t == Character.CONNECTOR_PUNCTUATION || t == Character.DASH_PUNCTUATION || t == Character.START_PUNCTUATION
                || t == Character.END_PUNCTUATION || t == Character.INITIAL_QUOTE_PUNCTUATION
                || t == Character.FINAL_QUOTE_PUNCTUATION || t == Character.OTHER_PUNCTUATION;
    }

    private static boolean isChinese(int c) {
        return c >= 0x4E00 && c <= 0x9FFF || c >= 0x3400 && c <= 0x4DBF || c >= 0x20000 && c <= 0x2A6DF
                || c >= 0x2A700 && c <= 0x2B73F || c >= 0x2B740 && c <= 0x2B81F || c >= 0x2B920 && c <= 0x2CEAF
                || c >= 0xF900 && c <= 0xFAFF || c >= 0x2F800 && c <= 0x2FA1F;
    }
}
