package org.cogwork.training.internal;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.Semaphore;
import org.cogwork.api.connector.DataSource;
import org.cogwork.api.connector.DataSourceException;
import org.cogwork.api.connector.UnknownDatasetException;
import org.cogwork.api.data.Dataset;
import org.cogwork.api.data.Field;
import org.cogwork.api.data.Schema;
import org.cogwork.api.engine.Engine;
import org.cogwork.api.engine.Task;
import org.cogwork.api.feature.FeaturePipelineService;
import org.cogwork.api.problem.ApiException;
import org.cogwork.api.problem.InvalidFieldException;
import org.cogwork.api.problem.NotFoundException;
import org.cogwork.api.problem.TooManyRequestsException;
import org.cogwork.api.query.Query;
import org.cogwork.api.registry.ModelRegistry;
import org.cogwork.api.registry.ModelVersion;
import org.cogwork.api.service.NamedServices;
import org.cogwork.api.tracking.ExperimentTracker;
import org.cogwork.api.tracking.MetricPoint;
import org.cogwork.api.tracking.Run;
import org.cogwork.api.tracking.RunStatus;
import org.cogwork.api.training.TrainingResult;
import org.cogwork.runtime.rest.Json;
import org.cogwork.sources.query.QueryJson;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scores a registered model version on any labelled dataset and records it as a run: the version's
 * {@code model.zip} is opened from its run's artifacts through the {@link ExperimentTracker} (checksum verified), as
 * serving opens it, and read by {@link ModelArchive}; the dataset streams through the version's fitted pipeline and
 * model ({@link Evaluator}: the same metrics, confusion matrix and worst rows as a training job's test part). The run
 * goes into the experiment of the run that produced the version, with the caller as its user, what was evaluated as
 * parameters, the metrics, and the confusion matrix and worst rows as the artifact {@code evaluation/evaluation.json}.
 *
 * <p>An evaluation runs on the caller's thread (the answer is its result), at most {@code concurrent} at once (429
 * beyond); the model is loaded for the evaluation and closed after it, never cached.
 */
@Component(service = EvaluationService.class, configurationPid = EvaluationConfig.PID)
@Designate(ocd = EvaluationConfig.class)
public class EvaluationService {
    private static final Logger LOG = LoggerFactory.getLogger(EvaluationService.class);
    static final String EXPERIMENT_FALLBACK = "evaluations";

    private final ModelRegistry registry;
    private final ExperimentTracker tracker;
    private final FeaturePipelineService pipelines;
    /** By source id and by engine name, one provider per name, as training and serving decide it. */
    private final NamedServices<DataSource> sources = new NamedServices<>(DataSource.SOURCE_ID);
    private final NamedServices<Engine> engines = new NamedServices<>(Engine.ENGINE_NAME);
    private final Semaphore running;
    private final int concurrent;

    @Activate
    public EvaluationService(EvaluationConfig config, @Reference ModelRegistry registry, @Reference ExperimentTracker tracker,
                             @Reference FeaturePipelineService pipelines) {
        this.registry = registry;
        this.tracker = tracker;
        this.pipelines = pipelines;
        this.concurrent = Math.max(1, config.concurrent());
        this.running = new Semaphore(concurrent);
    }

    @Reference(service = DataSource.class, cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, updated = "updatedSource")
    void bindSource(ServiceReference<DataSource> ref, DataSource s) {
        sources.add(ref, s);
    }

    void updatedSource(ServiceReference<DataSource> ref) {
        sources.modified(ref);
    }

    void unbindSource(ServiceReference<DataSource> ref) {
        sources.remove(ref);
    }

    /** Outside OSGi (tests, tools): a source under its id, after those added before. */
    public void addSource(DataSource s) {
        sources.add(s.id(), s);
    }

    @Reference(service = Engine.class, cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, updated = "updatedEngine")
    void bindEngine(ServiceReference<Engine> ref, Engine e) {
        engines.add(ref, e);
    }

    void updatedEngine(ServiceReference<Engine> ref) {
        engines.modified(ref);
    }

    void unbindEngine(ServiceReference<Engine> ref) {
        engines.remove(ref);
    }

    /** Outside OSGi (tests, tools): an engine under its name, after those added before. */
    public void addEngine(Engine e) {
        engines.add(e.info().name(), e);
    }

    /**
     * Scores version {@code version} of model {@code name} on the rows {@code request} names, for {@code user}.
     *
     * @throws NotFoundException for an unknown model or version
     * @throws InvalidFieldException naming {@code source}, {@code dataset} (a missing column, named) or {@code query.*}
     * @throws TooManyRequestsException when {@code concurrent} evaluations are running
     */
    public Map<String, Object> evaluate(String name, int version, EvaluateRequest request, String user) {
        ModelVersion v = registry.version(name, version).orElseThrow(() -> registry.model(name).isEmpty()
                ? new NotFoundException("no registered model " + Json.quote(name))
                : new NotFoundException("model " + Json.quote(name) + " has no version " + version));
        DataSource source = sources.get(request.source());
        if (source == null) {
            throw ApiException.badRequest("source", "no data source " + Json.quote(request.source()) + "; sources are "
                    + sources.names());
        }
        Query query = QueryJson.parseUnpaged(request.query(), "query");
        Schema schema;
        try {
            schema = source.schema(request.dataset());
        } catch (UnknownDatasetException e) {
            throw ApiException.badRequest("dataset", e.getMessage());
        } catch (DataSourceException e) {
            throw new ApiException(502, "source '" + request.source() + "' could not be read", "source", e.getMessage());
        }
        if (!running.tryAcquire()) {
            throw new TooManyRequestsException(concurrent + " evaluations are running; try again later", 5);
        }
        try (ModelArchive.Loaded model = load(v)) {
            return evaluate(v, model, source, schema, query, request, user);
        } finally {
            running.release();
        }
    }

    private Map<String, Object> evaluate(ModelVersion v, ModelArchive.Loaded model, DataSource source, Schema schema, Query query,
                                         EvaluateRequest request, String user) {
        if (model.task() == Task.CLUSTERING || model.target() == null) {
            throw ApiException.badRequest("version", "version " + v.version() + " of " + Json.quote(v.modelName())
                    + " is a clustering model: it has no target to be evaluated against");
        }
        // the columns the model was trained on (features and target, as its pipeline reads them), in that order
        Schema input = model.pipeline().inputSchema();
        Map<Field, String> needed = new LinkedHashMap<>();
        for (Field f : input.fields()) {
            needed.put(f, f.name().equals(model.target()) ? "the model's target" : "a feature of the model");
        }
        TestSets.checkColumns(needed, schema, "dataset", request.dataset(), "the model's training data");
        List<String> columns = needed.keySet().stream().map(Field::name).toList();
        Dataset rows;
        try {
            rows = source.read(request.dataset(), new Query(columns, query.where(), query.orderBy(), query.limit(), query.offset()));
        } catch (UnknownDatasetException e) {
            throw ApiException.badRequest("dataset", e.getMessage());
        } catch (DataSourceException e) {
            throw new ApiException(502, "source '" + request.source() + "' could not be read", "source", e.getMessage());
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("query", e.getMessage());
        }

        String experimentId = tracker.run(v.runId()).map(Run::experimentId).orElseGet(() -> tracker.experimentId(EXPERIMENT_FALLBACK));
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put(Tracking.USER_TAG, user);
        tags.put("mlflow.source.name", "cogwork-evaluation");
        tags.put("mlflow.source.type", "JOB");
        tags.put("cogwork.evaluation.model", v.modelName());
        tags.put("cogwork.evaluation.version", Integer.toString(v.version()));
        Run run = tracker.createRun(experimentId, "evaluate " + v.modelName() + " v" + v.version(), null, tags);
        long t0 = System.nanoTime();
        try {
            Evaluator.Result r = new Evaluator(model.task(), model.pipeline(), model.model(), model.target())
                    .evaluate(rows, k -> k, () -> { });
            if (r.rows() == 0) {
                String field = request.query() == null || request.query().isNull() ? "dataset" : "query";
                throw ApiException.badRequest(field, "no row of " + request.dataset() + (field.equals("query") ? " that query selects" : "")
                        + " has a value in the model's target '" + model.target() + "': nothing to evaluate");
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            Map<String, Object> result = result(v, model, source, request, r, seconds);
            record(run.id(), v, model, request, r, result);
            tracker.endRun(run.id(), RunStatus.FINISHED);
            result.put("tracking", new TrainingResult.Tracking(run.id(), experimentId, null, null, null, null));
            LOG.info("Evaluated {} v{} on {}/{}: {} rows in {} s ({})", v.modelName(), v.version(), request.source(), request.dataset(),
                    r.rows(), String.format("%.2f", seconds), user);
            return result;
        } catch (RuntimeException | Error e) {
            failed(run.id(), e);
            if (e instanceof ApiException) {
                throw e;
            }
            if (e instanceof IllegalArgumentException) {
                // a value the pipeline or model refuses: the data's fault, named by row
                throw ApiException.badRequest("dataset", e.getMessage());
            }
            throw e;
        } catch (Exception e) {
            failed(run.id(), e);
            throw new IllegalStateException("evaluation failed: " + e.getMessage(), e);
        }
    }

    private Map<String, Object> result(ModelVersion v, ModelArchive.Loaded model, DataSource source, EvaluateRequest request,
                                       Evaluator.Result r, double seconds) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("model", v.modelName());
        out.put("version", v.version());
        out.put("task", model.task());
        out.put("target", model.target());
        out.put("engine", model.engine());
        out.put("algorithm", model.manifest().algorithm());
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("source", request.source());
        data.put("kind", source.kind());
        data.put("dataset", request.dataset());
        data.put("query", request.query() == null || request.query().isNull() ? null : request.query());
        data.put("sha256", r.sha256());
        out.put("data", data);
        out.put("rows", Map.of("evaluated", r.rows(), "withoutTarget", r.withoutTarget()));
        out.put("metrics", r.evaluation().scalars());
        putDetails(out, r.evaluation());
        out.put("worstPredictions", r.worst());
        out.put("seconds", seconds);
        return out;
    }

    /** Parameters, metrics and tags in one batch, then the details as an artifact. */
    private void record(String runId, ModelVersion v, ModelArchive.Loaded model, EvaluateRequest request, Evaluator.Result r,
                        Map<String, Object> result) {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("model", v.modelName());
        params.put("version", Integer.toString(v.version()));
        if (v.runId() != null) {
            params.put("model.run", v.runId());
        }
        params.put("source", request.source());
        params.put("dataset", request.dataset());
        String q = request.query() == null || request.query().isNull() ? "{}" : request.query().toString();
        params.put("query", q.length() <= 5000 ? q : q.substring(0, 4997) + "...");
        params.put("target", model.target());
        params.put("task", model.task().name());
        params.put("engine", model.engine());
        params.put("rows", Long.toString(r.rows()));
        params.put("rows.withoutTarget", Long.toString(r.withoutTarget()));
        List<MetricPoint> metrics = new ArrayList<>();
        Instant now = Instant.now();
        r.evaluation().scalars().forEach((k, val) -> {
            if (Double.isFinite(val)) {
                metrics.add(new MetricPoint(k, val, 0, now));
            }
        });
        tracker.logBatch(runId, metrics, params, Map.of("cogwork.data.sha256", r.sha256()));
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("rows", result.get("rows"));
        details.put("metrics", result.get("metrics"));
        putDetails(details, r.evaluation());
        details.put("worstPredictions", r.worst());
        try {
            tracker.logArtifact(runId, "evaluation/evaluation.json",
                    new ByteArrayInputStream(Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(details)));
        } catch (IOException e) {
            throw new UncheckedIOException("the evaluation's details could not be stored: " + e.getMessage(), e);
        }
    }

    /** The per-class metrics and confusion matrix of a classification, as a training job's result shows them. */
    private static void putDetails(Map<String, Object> out, Metrics.Evaluation e) {
        if (e.perClass() != null) {
            out.put("perClass", e.perClass());
        }
        if (e.confusionMatrix() != null) {
            out.put("confusionMatrix", e.confusionMatrix());
        }
    }

    private void failed(String runId, Throwable e) {
        try {
            tracker.setTag(runId, "cogwork.evaluation.error", abbreviate(String.valueOf(e.getMessage())));
            tracker.endRun(runId, RunStatus.FAILED);
        } catch (RuntimeException again) {
            LOG.warn("Could not record the failure of evaluation run {}: {}", runId, again.toString());
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 5000 ? s : s.substring(0, 4997) + "...";
    }

    /**
     * The version's model, from its run's artifact. The version's source is an artifact URI
     * ({@code cogwork-artifacts:/<experiment>/<run>/artifacts/<path>}); the path after {@code /artifacts/} is what the
     * tracker opens, as serving's {@code Predictor} does.
     */
    private ModelArchive.Loaded load(ModelVersion v) {
        String uri = v.source();
        int at = uri == null ? -1 : uri.indexOf("/artifacts/");
        if (v.runId() == null || at < 0) {
            throw new ApiException(409, "version " + v.version() + " of " + Json.quote(v.modelName())
                    + " does not point at a run's artifact, so there is no model to load", "version", null);
        }
        try (InputStream in = tracker.openArtifact(v.runId(), uri.substring(at + "/artifacts/".length()))) {
            return ModelArchive.read(in, engines::get, pipelines);
        } catch (NoSuchElementException e) {
            throw new NotFoundException("version " + v.version() + " of " + Json.quote(v.modelName()) + ": " + e.getMessage());
        } catch (IOException | UncheckedIOException | IllegalStateException e) {
            LOG.warn("Version {} of '{}' cannot be loaded for evaluation", v.version(), v.modelName(), e);
            throw new ApiException(503, "version " + v.version() + " of " + Json.quote(v.modelName()) + " cannot be loaded", null,
                    e.getMessage());
        }
    }
}
