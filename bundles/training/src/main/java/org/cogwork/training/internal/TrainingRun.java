package org.cogwork.training.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.cogwork.api.connector.DataSource;
import org.cogwork.api.data.Dataset;
import org.cogwork.api.data.Field;
import org.cogwork.api.data.Row;
import org.cogwork.api.data.RowCursor;
import org.cogwork.api.data.Schema;
import org.cogwork.api.engine.Engine;
import org.cogwork.api.engine.EngineException;
import org.cogwork.api.engine.Model;
import org.cogwork.api.engine.Prediction;
import org.cogwork.api.engine.Task;
import org.cogwork.api.model.ModelPackage;
import org.cogwork.api.engine.TrainingContext;
import org.cogwork.api.engine.TrainingRequest;
import org.cogwork.api.feature.FeaturePipelineService;
import org.cogwork.api.feature.FittedPipeline;
import org.cogwork.api.query.Query;
import org.cogwork.api.training.TrainingResult;

/**
 * One training job from start to artifact: read (hashing what was read) → split (or, with a fixed test set, every
 * row trains) → search and/or cross-validation → final fit of the pipeline on the training part only → train →
 * evaluate on the test part or the test set ({@link Evaluator}: metrics and error analysis) → artifact and
 * provenance. Runs on a platform worker thread.
 */
final class TrainingRun {
    /** What a run needs from the live system. */
    interface Env {
        DataSource source(String id);

        Engine engine(String name);

        /** Bundle symbolic name and version of the engine's bundle, for provenance. */
        Map<String, String> engineBundle(String name);

        FeaturePipelineService pipelines();

        Path artifacts();

        Map<String, String> platformVersions();
    }

    /** A candidate with concrete hyperparameters. */
    record Config(String engine, String algorithm, Map<String, Object> hyperparameters) {
    }

    /** A fitted pipeline and model with their evaluation on held-out rows. */
    record Fitted(FittedPipeline pipeline, Model model, Metrics.Evaluation evaluation, List<Integer> evalRows,
                  List<Prediction> predictions) {
    }

    private final Job job;
    private final Spec spec;
    private final Env env;
    private final Task task;
    private Schema schema;
    private List<Row> rows;
    private int targetIndex = -1;
    private long rowsWithoutTarget;
    /** Seconds spent in each phase of the run, in order, for the provenance ("seconds"). */
    private final Map<String, Double> seconds = new LinkedHashMap<>();

    TrainingRun(Job job, Task task, Env env) {
        this.job = job;
        this.spec = job.spec;
        this.task = task;
        this.env = env;
    }

    TrainingResult run() throws Exception {
        Instant started = Instant.now();
        long t = System.nanoTime();
        String dataHash = read();
        t = took("read", t);
        checkStop();
        int timeIndex = spec.split().timeColumn() == null ? -1 : schema.indexOf(spec.split().timeColumn());
        job.phase("splitting", 0, 1);
        String method = spec.split().method().equals("stratified") && task != Task.CLASSIFICATION ? "random" : spec.split().method();
        // a fixed test set: every row read trains (search and cross-validation still hold out within them)
        Splits.Split split = spec.test() != null ? new Splits.Split(Splits.range(rows.size()), List.of())
                : Splits.split(rows, method, spec.split().testFraction(), targetIndex, timeIndex, spec.seed());

        List<Config> configs = configs();
        String metric = spec.search().metric() != null ? spec.search().metric() : task == Task.REGRESSION ? "r2" : "accuracy";
        List<TrainingResult.SearchTrial> searchLog = new ArrayList<>();
        Config best = configs.get(0);
        TrainingResult.CrossValidationScores cv = null;
        t = took("split", t);
        if (task != Task.CLUSTERING && (configs.size() > 1 || spec.folds() > 0)) {
            double bestScore = Double.NaN;
            for (int c = 0; c < configs.size(); c++) {
                checkStop();
                Config config = configs.get(c);
                job.phase("search " + (c + 1) + "/" + configs.size(), c, configs.size());
                TrainingResult.CrossValidationScores scored = spec.folds() > 0 ? crossValidate(config, split.train(), timeIndex) : null;
                double score = (scored != null ? scored.mean() : validate(config, split.train(), timeIndex).evaluation().scalars()).get(metric);
                searchLog.add(new TrainingResult.SearchTrial(config.engine(), config.algorithm(), config.hyperparameters(), metric, score));
                if (Double.isNaN(bestScore) || Metrics.better(metric, score, bestScore)) {
                    bestScore = score;
                    best = config;
                    cv = scored;
                }
            }
            t = took("search", t);
        }
        checkStop();
        job.phase("training", 0, 1);
        Fitted fin = fit(best, split.train(), List.of(), true);
        t = System.nanoTime();
        try {
            checkStop();
            job.phase("evaluating", 0, 1);
            Evaluator.Result test = evaluate(fin, split);
            took("evaluate", t);
            return finish(fin, best, metric, cv, searchLog, selection(configs.size(), metric), dataHash, started, split, test);
        } finally {
            fin.model().close();
        }
    }

    /**
     * The final model's evaluation: on the held-out rows (numbered by their position among the rows read), or on the
     * fixed test set, streamed from its source; {@code null} for clustering or an empty test part.
     */
    private Evaluator.Result evaluate(Fitted fin, Splits.Split split) throws Exception {
        if (task == Task.CLUSTERING) {
            return null;
        }
        Evaluator evaluator = new Evaluator(task, fin.pipeline(), fin.model(), spec.target());
        if (spec.test() == null) {
            if (split.test().isEmpty()) {
                return null;
            }
            List<Integer> positions = split.test();
            return evaluator.evaluate(Dataset.of(schema, positions.stream().map(rows::get).toList()),
                    k -> positions.get((int) k), this::checkStop);
        }
        Spec.TestSet t = spec.test();
        // the training read's columns, so the test rows meet the pipeline as the training rows did
        Query q = t.query();
        Query read = new Query(schema.fields().stream().map(Field::name).toList(), q.where(), q.orderBy(), q.limit(), q.offset());
        Evaluator.Result r = evaluator.evaluate(env.source(t.source()).read(t.dataset(), read), k -> k, this::checkStop);
        if (r.rows() == 0) {
            throw new IllegalArgumentException("the test set " + t.dataset() + " of source '" + t.source() + "' has no rows with a target"
                    + (t.queryJson() == null ? "" : " that test.query selects"));
        }
        return r;
    }

    /** How the configuration was chosen, for the result and the run. */
    private TrainingResult.Selection selection(int configurations, String metric) {
        if (task == Task.CLUSTERING || (configurations == 1 && spec.folds() == 0)) {
            return new TrainingResult.Selection("none", null, null, null, configurations);
        } else if (spec.folds() > 0) {
            return new TrainingResult.Selection("cross-validation", spec.folds(), null, metric, configurations);
        }
        return new TrainingResult.Selection("validation-split", null, spec.split().validationFraction(), metric, configurations);
    }

    private TrainingResult finish(Fitted fin, Config best, String metric, TrainingResult.CrossValidationScores cv,
                                  List<TrainingResult.SearchTrial> searchLog, TrainingResult.Selection selection, String dataHash,
                                  Instant started, Splits.Split split, Evaluator.Result test) throws Exception {
        checkStop();
        job.phase("evaluating", 1, 1);
        Metrics.Evaluation e = test == null ? null : test.evaluation();
        TrainingResult.Rows counts = spec.test() == null
                ? new TrainingResult.Rows(rows.size(), rowsWithoutTarget, split.train().size(), split.test().size(), null)
                : new TrainingResult.Rows(rows.size(), rowsWithoutTarget, split.train().size(), test.rows(), test.withoutTarget());
        Map<String, Object> provenance = provenance(best, fin, dataHash, started, split, test);
        Path artifact = writeArtifact(fin, best, e == null ? null : e.scalars(), provenance);
        TrainingResult.Artifact file = new TrainingResult.Artifact("/api/trainings/" + job.id + "/artifact", Files.size(artifact),
                sha256(Files.readAllBytes(artifact)));
        return new TrainingResult(task, best.engine(), best.algorithm(), best.hyperparameters(), metric, selection,
                e == null ? null : e.scalars(), e == null ? null : e.perClass(), e == null ? null : e.confusionMatrix(), cv,
                searchLog.isEmpty() ? null : searchLog, counts,
                task == Task.CLUSTERING ? null : test == null ? List.of() : test.worst(), provenance, file, null, null);
    }

    /** Records the seconds since {@code since} as (or added to) {@code phase}'s; returns now. */
    private long took(String phase, long since) {
        long now = System.nanoTime();
        seconds.merge(phase, (now - since) / 1e9, Double::sum);
        return now;
    }

    private void checkStop() throws EngineException {
        if (job.stopRequested()) {
            throw new EngineException(job.timedOut ? "time limit reached" : "training cancelled");
        }
    }

    /** Reads the query's rows (features + target), dropping rows without a target, and hashes what it read. */
    private String read() throws Exception {
        job.phase("reading", 0, -1);
        DataSource source = env.source(spec.source());
        Schema full = source.schema(spec.dataset());
        LinkedHashSet<String> columns = new LinkedHashSet<>();
        if (spec.features() != null) {
            columns.addAll(spec.features());
        } else {
            full.fields().forEach(f -> columns.add(f.name()));
        }
        if (spec.target() != null) {
            columns.remove(spec.target());
            columns.add(spec.target());
        }
        Query q = spec.query();
        Query read = new Query(new ArrayList<>(columns), q.where(), q.orderBy(), q.limit(), q.offset());
        Dataset d = source.read(spec.dataset(), read);
        schema = d.schema();
        targetIndex = spec.target() == null ? -1 : schema.indexOf(spec.target());
        rows = new ArrayList<>();
        MessageDigest sha = Evaluator.sha256();
        long skipped = 0;
        try (RowCursor c = d.open()) {
            while (c.hasNext()) {
                Row r = c.next();
                Evaluator.digest(sha, r);
                if (targetIndex >= 0 && r.get(targetIndex) == null) {
                    skipped++;
                    continue;
                }
                rows.add(r);
                if (rows.size() % 10_000 == 0) {
                    job.phase("reading", rows.size(), -1);
                    checkStop();
                }
            }
        }
        if (rows.size() < 10) {
            throw new IllegalArgumentException("only " + rows.size() + " rows with a target were read: too few to train and test");
        }
        job.phase("reading", rows.size(), rows.size());
        rowsWithoutTarget = skipped;
        return HexFormat.of().formatHex(sha.digest());
    }

    /** Every concrete configuration to try: each candidate's grid (or random sample) of its space. */
    List<Config> configs() {
        List<Config> out = new ArrayList<>();
        Random random = new Random(spec.seed());
        for (Spec.Candidate c : spec.candidates()) {
            List<Map<String, Object>> points = new ArrayList<>();
            points.add(new LinkedHashMap<>(c.hyperparameters()));
            for (Map.Entry<String, List<Object>> e : c.space().entrySet()) {
                List<Map<String, Object>> next = new ArrayList<>();
                for (Map<String, Object> p : points) {
                    for (Object v : e.getValue()) {
                        Map<String, Object> q = new LinkedHashMap<>(p);
                        q.put(e.getKey(), v);
                        next.add(q);
                    }
                }
                points = next;
            }
            if (spec.search().method().equals("random") && points.size() > spec.search().trials()) {
                java.util.Collections.shuffle(points, random);
                points = points.subList(0, spec.search().trials());
            }
            points.forEach(p -> out.add(new Config(c.engine(), c.algorithm(), p)));
        }
        return out;
    }

    private Fitted validate(Config config, List<Integer> train, int timeIndex) throws Exception {
        String method = spec.split().method().equals("time") ? "time" : task == Task.CLASSIFICATION ? "stratified" : "random";
        List<Row> sub = train.stream().map(rows::get).toList();
        Splits.Split s = Splits.split(sub, method, spec.split().validationFraction(), targetIndex, timeIndex, spec.seed() + 1);
        List<Integer> fitRows = s.train().stream().map(train::get).toList();
        List<Integer> valRows = s.test().stream().map(train::get).toList();
        Fitted f = fit(config, fitRows, valRows, false);
        f.model().close();
        return f;
    }

    private TrainingResult.CrossValidationScores crossValidate(Config config, List<Integer> train, int timeIndex) throws Exception {
        List<Splits.Split> folds = Splits.folds(rows, train, spec.folds(),
                task == Task.CLASSIFICATION ? targetIndex : -1, spec.seed());
        Map<String, List<Double>> values = new LinkedHashMap<>();
        int k = 0;
        for (Splits.Split fold : folds) {
            checkStop();
            job.progressMetrics = Map.of("fold", (double) ++k);
            Fitted f = fit(config, fold.train(), fold.test(), false);
            f.model().close();
            f.evaluation().scalars().forEach((m, v) -> values.computeIfAbsent(m, x -> new ArrayList<>()).add(v));
        }
        Map<String, Double> mean = new LinkedHashMap<>();
        Map<String, Double> std = new LinkedHashMap<>();
        values.forEach((m, v) -> {
            double mu = v.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
            mean.put(m, mu);
            std.put(m, Math.sqrt(v.stream().mapToDouble(x -> (x - mu) * (x - mu)).sum() / Math.max(1, v.size() - 1)));
        });
        return new TrainingResult.CrossValidationScores(spec.folds(), mean, std);
    }

    /** Fits the pipeline on {@code trainRows} only, trains, and evaluates on {@code evalRows}. */
    private Fitted fit(Config config, List<Integer> trainRows, List<Integer> evalRows, boolean reportProgress) throws Exception {
        long t = System.nanoTime();
        Dataset train = Dataset.of(schema, trainRows.stream().map(rows::get).toList());
        FeaturePipelineService.Transformed fitted = env.pipelines().fitTransform(train, spec.target(), spec.pipeline());
        FittedPipeline pipeline = fitted.pipeline();
        Dataset transformed = fitted.training();
        Engine engine = env.engine(config.engine());
        TrainingContext ctx = new TrainingContext() {
            @Override
            public boolean isCancelled() {
                return job.stopRequested();
            }

            @Override
            public void progress(long step, long totalSteps, Map<String, Double> metrics) {
                if (reportProgress) {
                    job.phase("training", step, totalSteps);
                    job.progressMetrics = Map.copyOf(metrics);
                }
            }
        };
        TrainingRequest request = new TrainingRequest(task, config.algorithm(), config.hyperparameters(), transformed,
                spec.target(), spec.seed());
        if (reportProgress) {
            t = took("pipeline", t);
        }
        Model model = job.engineCall(() -> engine.train(request, ctx));
        if (reportProgress) {
            took("train", t);
        }
        try {
            // an engine that ignored the stop (or returned after its job was abandoned): release its model now
            checkStop();
            if (evalRows.isEmpty() || task == Task.CLUSTERING) {
                return new Fitted(pipeline, model, null, evalRows, List.of());
            }
            List<Prediction> predictions = predict(model, pipeline, evalRows);
            Metrics.Evaluation e;
            if (task == Task.CLASSIFICATION) {
                List<String> truth = evalRows.stream().map(i -> String.valueOf(rows.get(i).get(targetIndex))).toList();
                e = Metrics.classification(truth, predictions);
            } else {
                List<Double> truth = evalRows.stream().map(i -> ((Number) rows.get(i).get(targetIndex)).doubleValue()).toList();
                e = Metrics.regression(truth, predictions.stream().map(p -> ((Number) p.value()).doubleValue()).toList());
            }
            return new Fitted(pipeline, model, e, evalRows, predictions);
        } catch (Exception | Error e) {
            model.close();
            throw e;
        }
    }

    /**
     * Predictions for rows, through the same pipeline. The rows keep their target while the pipeline runs
     * (no transform reads a row's own target at apply time; lags and rolling windows read earlier rows', which
     * are known when predicting the next one), and lose it before the model sees them.
     */
    private List<Prediction> predict(Model model, FittedPipeline pipeline, List<Integer> positions) {
        List<Row> input = positions.stream().map(rows::get).toList();
        List<Row> transformed = pipeline.apply(Dataset.of(schema, input)).toList();
        Schema out = pipeline.outputSchema();
        int t = spec.target() == null ? -1 : out.indexOf(spec.target());
        List<Row> modelRows = new ArrayList<>(transformed.size());
        if (t >= 0) {
            List<Field> fs = new ArrayList<>(out.fields());
            fs.remove(t);
            Schema s = new Schema(fs);
            for (Row r : transformed) {
                Object[] v = r.values();
                Object[] w = new Object[v.length - 1];
                for (int a = 0, b = 0; a < v.length; a++) {
                    if (a != t) {
                        w[b++] = v[a];
                    }
                }
                modelRows.add(new Row(s, w));
            }
        } else {
            modelRows.addAll(transformed);
        }
        List<Prediction> out2 = new ArrayList<>(modelRows.size());
        for (int from = 0; from < modelRows.size(); from += 1000) {
            out2.addAll(model.predict(modelRows.subList(from, Math.min(modelRows.size(), from + 1000))));
        }
        return out2;
    }

    private Map<String, Object> provenance(Config best, Fitted fin, String dataHash, Instant started, Splits.Split split,
                                           Evaluator.Result test) {
        Map<String, Object> p = new LinkedHashMap<>();
        Engine engine = env.engine(best.engine());
        p.put("engine", Map.of("name", best.engine(), "version", engine.info().version(), "bundle", env.engineBundle(best.engine())));
        p.put("algorithm", best.algorithm());
        p.put("hyperparameters", best.hyperparameters());
        p.put("seed", spec.seed());
        p.put("task", task);
        p.put("target", spec.target());
        p.put("features", schema.fields().stream().map(Field::name).filter(n -> !n.equals(spec.target())).toList());
        p.put("pipeline", fin.pipeline().steps());
        DataSource source = env.source(spec.source());
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("source", spec.source());
        data.put("kind", source.kind());
        data.put("dataset", spec.dataset());
        data.put("query", spec.queryJson());
        data.put("rows", rows.size());
        data.put("sha256", dataHash);
        p.put("data", data);
        if (spec.test() != null) {
            Map<String, Object> t = new LinkedHashMap<>();
            t.put("source", spec.test().source());
            t.put("kind", env.source(spec.test().source()).kind());
            t.put("dataset", spec.test().dataset());
            t.put("query", spec.test().queryJson());
            t.put("rows", test.rows());
            t.put("withoutTarget", test.withoutTarget());
            t.put("sha256", test.sha256());
            data.put("test", t);
            p.put("split", Map.of("method", "test-set", "train", split.train().size(), "test", test.rows()));
        } else {
            p.put("split", Map.of("method", spec.split().method(), "testFraction", spec.split().testFraction(),
                    "train", split.train().size(), "test", split.test().size()));
        }
        p.put("model", fin.model().descriptor().provenance());
        p.put("bundles", env.platformVersions());
        p.put("java", Map.of("version", System.getProperty("java.version"), "vendor", System.getProperty("java.vendor")));
        p.put("os", Map.of("name", System.getProperty("os.name"), "arch", System.getProperty("os.arch"),
                "version", System.getProperty("os.version")));
        p.put("started", started.toString());
        p.put("finished", Instant.now().toString());
        // where the run's time went: reading (and hashing) the data, splitting, any search or cross-validation, the
        // final pipeline fit with the training rows transformed, the engine's training, the evaluation
        p.put("seconds", new LinkedHashMap<>(seconds));
        p.put("spec", spec.json());
        return p;
    }

    /** model.zip, as {@link ModelPackage} lays it out, written to a temporary file and moved into place. */
    private Path writeArtifact(Fitted fin, Config best, Map<String, Double> metrics, Map<String, Object> provenance) throws IOException {
        Path dir = env.artifacts().resolve(job.id);
        Files.createDirectories(dir);
        Path file = dir.resolve("model.zip");
        Path tmp = dir.resolve("model.zip.tmp");
        ModelPackage.Manifest manifest = new ModelPackage.Manifest(ModelPackage.FORMAT, best.engine(),
                fin.model().descriptor().engineVersion(), best.algorithm(), task, spec.target(),
                fin.model().descriptor().labels(), metrics, provenance);
        try (OutputStream os = Files.newOutputStream(tmp)) {
            ModelPackage.write(os, manifest, fin.model(), fin.pipeline());
        }
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        return file;
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
