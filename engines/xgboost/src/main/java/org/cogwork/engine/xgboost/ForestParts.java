package org.cogwork.engine.xgboost;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoost;
import ml.dmlc.xgboost4j.java.XGBoostError;
import org.cogwork.api.engine.EngineException;
import org.cogwork.api.engine.TrainingContext;

/**
 * A forest grown in parts, each part an XGBoost booster of a share of the trees with its own seed, on as many threads
 * as the training may use, then joined into one booster. XGBoost grows the parallel trees of a round one after
 * another, and splitting one tree's work between threads costs more than it shares on small data (see
 * {@code Settings.threads}); independent parts keep every core busy, and the job reports progress as parts end (one
 * round of 200 trees reported nothing until it ended).
 *
 * <p>XGBoost scales a round's leaves by the learning rate over the trees in the round; a part of {@code n} of the
 * forest's {@code N} trees trains at a learning rate of {@code n / N}, so its leaves are already what they are in one
 * forest of {@code N} trees, and the parts join by putting their trees side by side in one round: the joined model's
 * UBJSON is the first part's with the {@code model} object rewritten (every tree, renumbered; {@code tree_info};
 * {@code iteration_indptr} of one round; {@code gbtree_model_param}), every other byte copied. Parts must agree on
 * everything else the model holds (the base score XGBoost estimates from all training rows, the objective).
 *
 * <p>The parts are fixed ({@link #PARTS}, seeds {@code seed + k * SEED_STEP}), not the threads, so the same request
 * gives the same forest on any machine.
 */
final class ForestParts {
    /** Parts of a forest (fewer when it has fewer trees). */
    static final int PARTS = 10;
    static final long SEED_STEP = 7919;

    private ForestParts() {
    }

    /** How many of {@code trees} trees each part grows. */
    static int[] sizes(int trees) {
        int parts = Math.min(PARTS, trees);
        int[] sizes = new int[parts];
        for (int k = 0; k < parts; k++) {
            sizes[k] = trees / parts + (k < trees % parts ? 1 : 0);
        }
        return sizes;
    }

    /**
     * Trains the parts ({@code params} as for one booster of {@code trees} trees at a learning rate of 1, its
     * {@code nthread} each part's) {@code threads} at a time, and returns the part models (UBJSON) in part order.
     *
     * @throws EngineException when cancelled (between parts) or XGBoost fails
     */
    static List<byte[]> train(Map<String, Object> params, Boosting.Matrix train, int trees, long seed, int threads,
                              TrainingContext context) throws EngineException {
        int[] sizes = sizes(trees);
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(threads, sizes.length)), r -> {
            Thread t = new Thread(r, "cogwork-xgboost-forest");
            t.setDaemon(true);
            return t;
        });
        CompletionService<byte[]> done = new ExecutorCompletionService<>(pool);
        Map<Future<byte[]>, Integer> parts = new HashMap<>();
        try {
            for (int k = 0; k < sizes.length; k++) {
                Map<String, Object> p = new HashMap<>(params);
                p.put("num_parallel_tree", sizes[k]);
                p.put("eta", sizes[k] / (double) trees);
                p.put("seed", seed + k * SEED_STEP);
                parts.put(done.submit(() -> part(p, train, context)), k);
            }
            byte[][] models = new byte[sizes.length][];
            int grown = 0;
            for (int i = 0; i < sizes.length; i++) {
                Future<byte[]> f = done.take();
                int k = parts.get(f);
                models[k] = f.get();
                grown += sizes[k];
                context.progress(grown, trees, Map.of());
                if (grown < trees) {
                    XgboostEngine.checkCancelled(context);
                }
            }
            return Arrays.asList(models);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EngineException("training cancelled", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof EngineException ee) {
                throw ee;
            }
            throw new EngineException("XGBoost training failed: " + Boosting.reason(e.getCause()), e.getCause());
        } finally {
            pool.shutdownNow(); // parts not started yet do not start; running ones end at their booster's update
        }
    }

    /** One part: its booster trained, its model as UBJSON. */
    private static byte[] part(Map<String, Object> params, Boosting.Matrix train, TrainingContext context)
            throws EngineException, XGBoostError {
        XgboostEngine.checkCancelled(context);
        DMatrix d = Boosting.matrix(train);
        Booster b = null;
        try {
            b = XGBoost.train(d, params, 1, Map.of(), null, null);
            return b.toByteArray("ubj");
        } finally {
            if (b != null) {
                b.dispose();
            }
            d.dispose();
        }
    }

    /**
     * The parts joined into one model of one round (UBJSON, as XGBoost reads it).
     *
     * @throws IllegalArgumentException when the parts differ in anything but their trees
     */
    static byte[] join(List<byte[]> parts) {
        List<Model> models = new ArrayList<>();
        for (byte[] p : parts) {
            models.add(Model.of(p));
        }
        Model first = models.get(0);
        for (Model m : models) {
            if (!Arrays.equals(first.withoutModel(), m.withoutModel())) {
                throw new IllegalArgumentException("the forest's parts differ beyond their trees (base score, objective)");
            }
        }
        int trees = models.stream().mapToInt(m -> m.trees().size()).sum();
        int parallelTrees = models.stream().mapToInt(Model::parallelTrees).sum();
        int[] info = models.stream().flatMapToInt(m -> Arrays.stream(m.treeInfo())).toArray();
        ByteArrayOutputStream out = new ByteArrayOutputStream(parts.stream().mapToInt(b -> b.length).sum() + 1024);
        byte[] doc = first.bytes;
        ByteBuffer in = ByteBuffer.wrap(doc);
        int treeInfoAt = Ubjson.Span.find(in, first.modelStart, "tree_info");
        int indptrAt = Ubjson.Span.find(in, first.modelStart, "iteration_indptr");
        int paramAt = Ubjson.Span.find(in, first.modelStart, "gbtree_model_param");
        int[] id = {0}; // the trees' ids count up across the parts
        out.write(doc, 0, first.modelStart);
        rewrite(out, doc, first.modelStart, (key, o) -> {
            switch (key) {
                case "trees" -> {
                    // counted as the first part's trees are (XGBoost writes [#L<count>), or closed with ']'
                    o.write('[');
                    if (first.countType() != 0) {
                        o.write('#');
                        writeInteger(o, first.countType(), trees);
                    }
                    for (Model m : models) {
                        for (int[] tree : m.trees) {
                            rewrite(o, m.bytes, tree[0], (k, t) -> {
                                if (!k.equals("id")) {
                                    return false;
                                }
                                writeInteger(t, (byte) 'l', id[0]++);
                                return true;
                            });
                        }
                    }
                    if (first.countType() == 0) {
                        o.write(']');
                    }
                    return true;
                }
                case "tree_info" -> {
                    writeInts(o, info, doc, treeInfoAt);
                    return true;
                }
                case "iteration_indptr" -> {
                    writeInts(o, new int[] {0, trees}, doc, indptrAt);
                    return true;
                }
                case "gbtree_model_param" -> {
                    rewrite(o, doc, paramAt, (k, q) -> {
                        String v = switch (k) {
                            case "num_parallel_tree" -> Integer.toString(parallelTrees);
                            case "num_trees" -> Integer.toString(trees);
                            default -> null;
                        };
                        if (v == null) {
                            return false;
                        }
                        writeString(q, v, true);
                        return true;
                    });
                    return true;
                }
                default -> {
                    return false;
                }
            }
        });
        out.write(doc, first.modelEnd, doc.length - first.modelEnd);
        return out.toByteArray();
    }

    /** What to write for a key of an object being copied: {@code true} when it wrote the value, else it is copied. */
    private interface Value {
        boolean write(String key, ByteArrayOutputStream out);
    }

    /** Copies the object at {@code object}, each value copied unless {@code replace} writes one for its key. */
    private static void rewrite(ByteArrayOutputStream out, byte[] doc, int object, Value replace) {
        ByteBuffer in = ByteBuffer.wrap(doc);
        out.write('{');
        int pos = object + 1;
        while (doc[pos] != '}') {
            int keyEnd = Ubjson.Span.key(in, pos);
            int text = Ubjson.Span.keyText(in, pos);
            String key = new String(doc, text, keyEnd - text, StandardCharsets.UTF_8);
            int valueEnd = Ubjson.Span.value(in, keyEnd);
            out.write(doc, pos, keyEnd - pos);
            if (!replace.write(key, out)) {
                out.write(doc, keyEnd, valueEnd - keyEnd);
            }
            pos = valueEnd;
        }
        out.write('}');
    }

    /**
     * An integer array shaped as the one at {@code at} of {@code doc} is: typed ({@code [$l#} or {@code [$L#}), counted
     * with a marker per value ({@code [#L<n>}, XGBoost's way, each value in its smallest type), or closed with ']'.
     */
    private static void writeInts(ByteArrayOutputStream out, int[] values, byte[] doc, int at) {
        out.write('[');
        if (doc[at + 1] == '$') {
            byte type = doc[at + 2];
            out.write('$');
            out.write(type);
            out.write('#');
            writeInteger(out, (byte) 'L', values.length);
            for (int v : values) {
                if (type == 'L') {
                    writeInt(out, v < 0 ? -1 : 0);
                } else if (type != 'l') {
                    throw new IllegalArgumentException("UBJSON: integer arrays of type '" + (char) type + "' are not written");
                }
                writeInt(out, v);
            }
            return;
        }
        boolean counted = doc[at + 1] == '#';
        if (counted) {
            out.write('#');
            writeInteger(out, doc[at + 2], values.length);
        }
        for (int v : values) {
            if (v >= Byte.MIN_VALUE && v <= Byte.MAX_VALUE) {
                writeInteger(out, (byte) 'i', v);
            } else if (v >= Short.MIN_VALUE && v <= Short.MAX_VALUE) {
                writeInteger(out, (byte) 'I', v);
            } else {
                writeInteger(out, (byte) 'l', v);
            }
        }
        if (!counted) {
            out.write(']');
        }
    }

    /** A string: as an object key (no marker) or as a value ({@code S} first). */
    private static void writeString(ByteArrayOutputStream out, String s, boolean value) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        if (value) {
            out.write('S');
        }
        writeInteger(out, (byte) 'L', b.length); // lengths as XGBoost writes them
        out.write(b, 0, b.length);
    }

    /** An integer with its marker {@code type} ({@code i}, {@code U}, {@code I}, {@code l} or {@code L}) in that width. */
    private static void writeInteger(ByteArrayOutputStream out, byte type, int v) {
        out.write(type);
        switch (type) {
            case 'i', 'U' -> out.write(v);
            case 'I' -> {
                out.write(v >>> 8);
                out.write(v);
            }
            case 'l' -> writeInt(out, v);
            case 'L' -> {
                writeInt(out, v < 0 ? -1 : 0);
                writeInt(out, v);
            }
            default -> throw new IllegalArgumentException("UBJSON: no integer marker 0x" + Integer.toHexString(type & 0xFF));
        }
    }

    private static void writeInt(ByteArrayOutputStream out, int v) {
        out.write(v >>> 24);
        out.write(v >>> 16);
        out.write(v >>> 8);
        out.write(v);
    }

    /** Where a part's model object and trees are in its bytes. */
    private record Model(byte[] bytes, int modelStart, int modelEnd, List<int[]> trees, int[] treeInfo, int parallelTrees,
                         byte countType) {
        static Model of(byte[] bytes) {
            ByteBuffer in = ByteBuffer.wrap(bytes);
            int learner = Ubjson.Span.find(in, 0, "learner");
            int booster = Ubjson.Span.find(in, learner, "gradient_booster");
            int model = Ubjson.Span.find(in, booster, "model");
            int trees = Ubjson.Span.find(in, model, "trees");
            List<int[]> spans = new ArrayList<>();
            if (bytes[trees] != '[' || bytes[trees + 1] == '$') {
                throw new IllegalArgumentException("UBJSON: the trees are not an array of objects");
            }
            byte countType = bytes[trees + 1] == '#' ? bytes[trees + 2] : 0;
            long count = countType == 0 ? -1 : Ubjson.Span.integer(in, trees + 2);
            int pos = countType == 0 ? trees + 1 : trees + 3 + Ubjson.Span.width(countType);
            for (long i = 0; countType == 0 ? bytes[pos] != ']' : i < count; i++) {
                int end = Ubjson.Span.value(in, pos);
                spans.add(new int[] {pos, end});
                pos = end;
            }
            int[] treeInfo = Trees.ints(read(bytes, Ubjson.Span.find(in, model, "tree_info")));
            Object param = ((Map<?, ?>) read(bytes, Ubjson.Span.find(in, model, "gbtree_model_param"))).get("num_parallel_tree");
            return new Model(bytes, model, Ubjson.Span.value(in, model), spans, treeInfo, Integer.parseInt(String.valueOf(param)),
                    countType);
        }

        /** The value at {@code at}, read. */
        private static Object read(byte[] bytes, int at) {
            return Ubjson.read(Arrays.copyOfRange(bytes, at, Ubjson.Span.value(ByteBuffer.wrap(bytes), at)));
        }

        /** The bytes but the model object: what the parts must share. */
        byte[] withoutModel() {
            byte[] out = new byte[bytes.length - (modelEnd - modelStart)];
            System.arraycopy(bytes, 0, out, 0, modelStart);
            System.arraycopy(bytes, modelEnd, out, modelStart, bytes.length - modelEnd);
            return out;
        }
    }
}
