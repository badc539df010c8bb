package org.cogwork.features.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.cogwork.api.data.DataType;
import org.cogwork.api.data.Dataset;
import org.cogwork.api.data.Field;
import org.cogwork.api.data.Row;
import org.cogwork.api.data.Schema;
import org.cogwork.api.data.Vector;
import org.cogwork.api.feature.FeaturePipelineService;
import org.cogwork.api.feature.FeatureTransform;
import org.cogwork.api.feature.FittedPipeline;
import org.cogwork.api.feature.FittedTransform;
import org.cogwork.api.feature.PipelineStep;
import org.cogwork.api.problem.InvalidFieldException;
import org.cogwork.api.service.NamedServices;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * Fits pipelines from whatever {@link FeatureTransform} services are registered (the built-in ones and any
 * a plugin bundle adds), each step on the training rows as transformed by the steps before it.
 */
@Component(service = FeaturePipelineService.class)
public class PipelineService implements FeaturePipelineService {
    /** By transform name, one provider per name (see {@link NamedServices}): a plugin cannot take over a built-in's name. */
    private final NamedServices<FeatureTransform> transforms = new NamedServices<>(FeatureTransform.TRANSFORM_NAME);

    @Reference(service = FeatureTransform.class, cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, updated = "updatedTransform")
    void bindTransform(ServiceReference<FeatureTransform> ref, FeatureTransform t) {
        transforms.add(ref, t);
    }

    void updatedTransform(ServiceReference<FeatureTransform> ref) {
        transforms.modified(ref);
    }

    void unbindTransform(ServiceReference<FeatureTransform> ref) {
        transforms.remove(ref);
    }

    /** Outside OSGi (tests, tools): a transform under its name, after those added before. */
    public void addTransform(FeatureTransform t) {
        transforms.add(t.name(), t);
    }

    /** Outside OSGi: removes a transform added with {@link #addTransform}. */
    public void removeTransform(FeatureTransform t) {
        transforms.remove(t);
    }

    @Override
    public List<String> transforms() {
        return new ArrayList<>(transforms.names());
    }

    private FeatureTransform transform(String name, int step) {
        FeatureTransform t = transforms.get(name);
        if (t == null) {
            throw new IllegalArgumentException("pipeline[" + step + "].transform: unknown transform '" + name
                    + "'; available: " + transforms());
        }
        return t;
    }

    @Override
    public void validate(List<PipelineStep> steps) {
        for (int i = 0; i < steps.size(); i++) {
            PipelineStep step = steps.get(i);
            FeatureTransform t = transforms.get(step.transform());
            String at = "pipeline[" + i + "]";
            if (t == null) {
                throw new InvalidFieldException(at + ".transform", "unknown transform '" + step.transform() + "'; available: " + transforms());
            }
            try {
                t.validate(step.params());
            } catch (InvalidFieldException e) {
                throw new InvalidFieldException(at + ".params" + (e.field() == null ? "" : "." + e.field()),
                        at + " (" + step.transform() + "): " + e.getMessage());
            } catch (IllegalArgumentException e) {
                // a plugin's transform that refuses without naming the parameter
                throw new InvalidFieldException(at + ".params", at + " (" + step.transform() + "): " + e.getMessage());
            }
        }
    }

    @Override
    public FittedPipeline fit(Dataset training, String target, List<PipelineStep> steps) {
        return fit(training, target, steps, false).pipeline();
    }

    @Override
    public Transformed fitTransform(Dataset training, String target, List<PipelineStep> steps) {
        return fit(training, target, steps, true);
    }

    /** Fits the steps in order; with {@code transformAll} the last step's output is made too, else only what the next step fits on. */
    private Transformed fit(Dataset training, String target, List<PipelineStep> steps, boolean transformAll) {
        Dataset current = Dataset.of(training.schema(), training.toList());
        List<FittedTransform> fitted = new ArrayList<>();
        for (int i = 0; i < steps.size(); i++) {
            PipelineStep step = steps.get(i);
            FeatureTransform t = transform(step.transform(), i);
            Map<String, Object> params = new HashMap<>(step.params());
            if (target != null) {
                params.putIfAbsent(Params.TARGET, target);
            }
            FittedTransform f;
            try {
                f = t.fit(current, params);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("pipeline[" + i + "] (" + step.transform() + "): " + e.getMessage(), e);
            }
            if (target != null && f.outputSchema().indexOf(target) < 0) {
                throw new IllegalArgumentException("pipeline[" + i + "] (" + step.transform() + ") removed the target '"
                        + target + "'; exclude it from the step's columns");
            }
            fitted.add(f);
            if (transformAll || i < steps.size() - 1) {
                // what the next step fits on; the last step's output only when asked for, not made only to be
                // dropped (a whole TF-IDF pass over the training texts)
                current = Dataset.of(f.outputSchema(), f.applyToTraining(current).toList());
            }
        }
        return new Transformed(new Pipeline(training.schema(), target, steps, fitted), current);
    }

    @Override
    public FittedPipeline load(InputStream in) throws IOException {
        JsonNode root = State.JSON.readTree(in);
        if (root == null || root.path("format").asInt() != 1) {
            throw new IOException("not a Cogwork feature pipeline");
        }
        Schema input = State.schema(root.path("input"));
        String target = root.path("target").isNull() ? null : root.path("target").asText(null);
        List<PipelineStep> steps = new ArrayList<>();
        List<FittedTransform> fitted = new ArrayList<>();
        int i = 0;
        for (JsonNode s : root.path("steps")) {
            String name = s.path("transform").asText();
            FeatureTransform t = transforms.get(name);
            if (t == null) {
                throw new IOException("the pipeline needs transform '" + name + "', which is not installed; available: " + transforms());
            }
            JsonNode f = s.path("fitted");
            byte[] bytes = f.isTextual() ? Base64.getDecoder().decode(f.asText()) : State.JSON.writeValueAsBytes(f);
            fitted.add(t.load(new ByteArrayInputStream(bytes)));
            steps.add(new PipelineStep(name, State.JSON.convertValue(s.path("params"), Map.class)));
            i++;
        }
        return new Pipeline(input, target, steps, fitted);
    }

    static final class Pipeline implements FittedPipeline {
        private final Schema input;
        private final String target;
        private final List<PipelineStep> steps;
        private final List<FittedTransform> fitted;

        Pipeline(Schema input, String target, List<PipelineStep> steps, List<FittedTransform> fitted) {
            this.input = input;
            this.target = target;
            this.steps = List.copyOf(steps);
            this.fitted = List.copyOf(fitted);
        }

        @Override
        public Schema inputSchema() {
            return input;
        }

        @Override
        public Schema outputSchema() {
            return fitted.isEmpty() ? input : fitted.get(fitted.size() - 1).outputSchema();
        }

        @Override
        public List<PipelineStep> steps() {
            return steps;
        }

        @Override
        public Dataset apply(Dataset rows) {
            Dataset d = conform(rows);
            for (FittedTransform f : fitted) {
                d = f.apply(d);
            }
            return d;
        }

        @Override
        public Dataset applyToTraining(Dataset training) {
            Dataset d = conform(training);
            for (FittedTransform f : fitted) {
                d = f.applyToTraining(d);
            }
            return d;
        }

        /** Rows in the pipeline's input schema: columns by name, the target optional, values in the column's type. */
        private Dataset conform(Dataset rows) {
            Schema given = rows.schema();
            int[] from = new int[input.size()];
            for (int i = 0; i < input.size(); i++) {
                Field f = input.fields().get(i);
                from[i] = given.indexOf(f.name());
                if (from[i] < 0 && !f.name().equals(target)) {
                    throw new IllegalArgumentException("missing feature '" + f.name() + "'");
                }
            }
            return rows.map(input, r -> {
                Object[] v = new Object[input.size()];
                for (int i = 0; i < v.length; i++) {
                    v[i] = from[i] < 0 ? null : convert(r.get(from[i]), input.fields().get(i));
                }
                return new Row(input, v);
            });
        }

        /** A value given by a caller (JSON numbers, strings) in the Java type of the column. */
        static Object convert(Object v, Field f) {
            if (v == null) {
                return null;
            }
            DataType t = f.type();
            try {
                return switch (t) {
                    case INT -> {
                        if (v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())) {
                            yield n.longValue();
                        }
                        if (v instanceof String s) {
                            yield Long.parseLong(s.trim());
                        }
                        throw new IllegalArgumentException();
                    }
                    case DOUBLE -> v instanceof Number n ? (Object) n.doubleValue() : (Object) Double.parseDouble(v.toString().trim());
                    case BOOLEAN -> v instanceof Boolean ? v : switch (v.toString().toLowerCase(java.util.Locale.ROOT)) {
                        case "true" -> Boolean.TRUE;
                        case "false" -> Boolean.FALSE;
                        default -> throw new IllegalArgumentException();
                    };
                    case DATE -> v instanceof LocalDate ? v : LocalDate.parse(v.toString());
                    case TIMESTAMP -> v instanceof Instant ? v : Instant.parse(v.toString());
                    case VECTOR -> {
                        if (v instanceof Vector) {
                            yield v;
                        }
                        throw new IllegalArgumentException();
                    }
                    default -> {
                        if (v instanceof String || v instanceof Number || v instanceof Boolean) {
                            yield v.toString();
                        }
                        throw new IllegalArgumentException();
                    }
                };
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("feature '" + f.name() + "' must be " + t + ", was " + v);
            }
        }

        @Override
        public void save(OutputStream out) throws IOException {
            ObjectNode root = State.JSON.createObjectNode();
            root.put("format", 1);
            root.set("input", State.schema(input));
            root.put("target", target);
            ArrayNode arr = root.putArray("steps");
            for (int i = 0; i < fitted.size(); i++) {
                ObjectNode s = arr.addObject();
                s.put("transform", steps.get(i).transform());
                s.set("params", State.JSON.valueToTree(steps.get(i).params()));
                ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                fitted.get(i).save(bytes);
                JsonNode json;
                try {
                    json = State.JSON.readTree(bytes.toByteArray());
                } catch (IOException e) {
                    json = null;
                }
                if (json != null) {
                    s.set("fitted", json);
                } else {
                    s.put("fitted", Base64.getEncoder().encodeToString(bytes.toByteArray()));
                }
            }
            State.JSON.writerWithDefaultPrettyPrinter().writeValue(new java.io.FilterOutputStream(out) {
                @Override
                public void close() throws IOException {
                    flush();
                }
            }, root);
        }
    }
}
