package org.cogwork.transform.contract;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.cogwork.api.data.DataType;
import org.cogwork.api.data.Dataset;
import org.cogwork.api.data.Field;
import org.cogwork.api.data.Row;
import org.cogwork.api.data.Schema;
import org.cogwork.api.feature.FeatureTransform;
import org.cogwork.api.feature.FittedTransform;
import org.cogwork.api.problem.InvalidFieldException;
import org.cogwork.api.query.Query;
import org.cogwork.connector.file.FileSource;
import org.cogwork.connector.file.FileSourceConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.osgi.util.converter.Converters;

/**
 * What every {@link FeatureTransform} must do, whatever it computes: subclass in a test with the transform and the
 * parameters of a real fit. The data is real ({@code credit_data.csv} by default, target {@code Status}; override
 * {@link #dataset()} and {@link #target()} for text or dates), read through the file connector as the platform does
 * and split 80/20 with a fixed seed; the folder of the shared datasets is the system property {@value #DATA_PROPERTY}.
 *
 * <p>What is checked, as the platform's pipeline uses a transform: the parameters pass {@link FeatureTransform#validate}
 * (with and without the {@code target} parameter the platform injects, and an unknown one is refused naming it); fitting
 * is deterministic and reads only the rows it is given, and applying learns nothing (the same rows give the same output
 * before and after other rows were transformed; a row transforms the same alone as among others); the output rows have
 * the output schema; the target column passes through unchanged and may be missing at prediction time; values never
 * seen in training and missing values are transformed without an error; a saved transform loads and transforms the
 * same.
 *
 * <pre>{@code
 * class WinsorizeContractTest extends TransformContract {
 *     protected FeatureTransform transform() { return new Winsorize(); }
 *     protected Map<String, Object> params() { return Map.of("columns", List.of("Income"), "upper", 0.95); }
 * }
 * }</pre>
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class TransformContract {
    /** The system property naming the folder of the shared datasets. */
    public static final String DATA_PROPERTY = "cogwork.data";
    /** The parameter the platform adds to every step's parameters when it fits a pipeline for a training run. */
    public static final String TARGET_PARAMETER = "target";

    private Dataset train;
    private List<Row> test;

    /** The transform under test, as constructed outside OSGi. */
    protected abstract FeatureTransform transform();

    /** Parameters for a real fit, as a training spec would give them (without {@code target}: the suite adds it). */
    protected Map<String, Object> params() {
        return Map.of();
    }

    /** The shared dataset the transform is fitted on. */
    protected String dataset() {
        return "credit_data.csv";
    }

    /** Its target column, injected as {@value #TARGET_PARAMETER}. */
    protected String target() {
        return "Status";
    }

    /**
     * Whether each row is transformed on its own. Transforms over neighbouring rows (lags, rolling windows) return
     * {@code false}: then a row alone is not expected to transform as it does among others.
     */
    protected boolean rowWise() {
        return true;
    }

    /** Whether the transform needs the target to fit (target encoding): then it is not fitted without one. */
    protected boolean needsTarget() {
        return false;
    }

    /**
     * A shared dataset by name.
     *
     * @throws IllegalStateException naming the {@value #DATA_PROPERTY} property when the file is not there
     */
    protected static Path data(String name) {
        Path folder = Path.of(System.getProperty(DATA_PROPERTY, "../../../shared/data")).toAbsolutePath().normalize();
        Path p = folder.resolve(name);
        if (!Files.isRegularFile(p)) {
            throw new IllegalStateException(name + " not found in " + folder + ": set the system property " + DATA_PROPERTY
                    + " to the folder of the shared datasets (e.g. -D" + DATA_PROPERTY + "=/path/to/shared/data, or in the"
                    + " surefire plugin's systemPropertyVariables)");
        }
        return p;
    }

    @BeforeAll
    void split() throws Exception {
        FileSource files = new FileSource(Converters.standardConverter().convert(Map.of("cogwork.source.id", "data",
                "path", data(dataset()).toString())).to(FileSourceConfig.class));
        Dataset all = files.read(dataset(), Query.all());
        List<Row> rows = new ArrayList<>(all.toList());
        if (rowWise()) {
            Collections.shuffle(rows, new Random(7)); // ordered data (time series) keeps its order
        }
        int n = (int) Math.round(rows.size() * 0.8);
        train = Dataset.of(all.schema(), List.copyOf(rows.subList(0, n)));
        test = List.copyOf(rows.subList(n, rows.size()));
    }

    /** The parameters with the target injected, as the platform fits a step. */
    protected Map<String, Object> injected() {
        Map<String, Object> p = new HashMap<>(params());
        p.put(TARGET_PARAMETER, target());
        return p;
    }

    private FittedTransform fit() {
        return transform().fit(train, injected());
    }

    private static List<List<Object>> values(Dataset d) {
        return d.toList().stream().map(r -> Arrays.asList(r.values())).toList();
    }

    private Dataset testRows() {
        return Dataset.of(train.schema(), test);
    }

    @Test
    void nameIsSet() {
        String name = transform().name();
        assertNotNull(name);
        assertFalse(name.isBlank(), "name");
        assertTrue(name.equals(name.trim()) && !name.contains(" "), "a name is one word: '" + name + "'");
    }

    /** The spec's parameters are accepted at submission, also with the injected {@code target}; an unknown one is not. */
    @Test
    void validateAcceptsTheParametersAndTheInjectedTargetAndRefusesAnUnknownOne() {
        FeatureTransform t = transform();
        assertDoesNotThrow(() -> t.validate(params()), "the parameters of the suite's fit");
        assertDoesNotThrow(() -> t.validate(injected()), "the parameters with the injected '" + TARGET_PARAMETER + "'");
        Map<String, Object> unknown = new HashMap<>(params());
        unknown.put("noSuchParameter", 1);
        InvalidFieldException e = assertThrows(InvalidFieldException.class, () -> t.validate(unknown),
                "validate refuses a parameter it does not know, so a typo fails at submission, not as a job");
        assertEquals("noSuchParameter", e.field(), e.getMessage());
    }

    @Test
    void fitsWithTheInjectedTargetAndKeepsTheTargetUnchanged() {
        FittedTransform f = fit();
        Schema out = f.outputSchema();
        int at = out.indexOf(target());
        assertTrue(at >= 0, "the target '" + target() + "' stays in the output " + ContractNames.of(out)
                + " (the platform refuses a step that removes it)");
        assertEquals(train.schema().require(target()).type(), out.fields().get(at).type(), "the target keeps its type");
        List<Row> applied = f.apply(testRows()).toList();
        assertEquals(test.size(), applied.size());
        for (int i = 0; i < test.size(); i++) {
            assertEquals(test.get(i).get(target()), applied.get(i).get(at), "row " + i + ": the target passes through");
        }
    }

    /** At prediction time the platform passes rows without a target value. */
    @Test
    void transformsRowsWhoseTargetIsMissing() {
        FittedTransform f = fit();
        int t = train.schema().indexOf(target());
        List<Row> unlabelled = test.stream().map(r -> {
            Object[] v = r.values();
            v[t] = null;
            return new Row(r.schema(), v);
        }).toList();
        List<Row> out = f.apply(Dataset.of(train.schema(), unlabelled)).toList();
        assertEquals(unlabelled.size(), out.size());
        if (rowWise()) {
            int at = f.outputSchema().indexOf(target());
            List<Row> labelled = f.apply(testRows()).toList();
            for (int i = 0; i < out.size(); i++) {
                List<Object> a = new ArrayList<>(Arrays.asList(labelled.get(i).values()));
                List<Object> b = new ArrayList<>(Arrays.asList(out.get(i).values()));
                a.remove(at);
                b.remove(at);
                assertEquals(a, b, "row " + i + ": the features do not depend on the target at prediction time");
            }
        }
    }

    /** Without a target (a pipeline fitted for unsupervised use) it fits, or, when it needs one, says so. */
    @Test
    void fitsWithoutATargetUnlessItNeedsOne() {
        if (needsTarget()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> transform().fit(train, params()));
            assertTrue(e.getMessage().contains(TARGET_PARAMETER), "the refusal names the target: " + e.getMessage());
            return;
        }
        FittedTransform f = transform().fit(train, params());
        assertEquals(test.size(), f.apply(testRows()).toList().size());
    }

    @Test
    void outputRowsHaveTheOutputSchema() {
        FittedTransform f = fit();
        for (Row r : f.apply(testRows()).toList()) {
            assertEquals(f.outputSchema(), r.schema());
            for (int i = 0; i < r.schema().size(); i++) {
                Field field = r.schema().fields().get(i);
                Object v = r.get(i);
                assertTrue(v == null ? field.nullable() : fits(field.type(), v),
                        "column '" + field.name() + "' (" + field.type() + (field.nullable() ? "" : ", not null") + ") holds " + v);
            }
        }
    }

    private static boolean fits(DataType type, Object v) {
        return switch (type) {
            case INT -> v instanceof Long;
            case DOUBLE -> v instanceof Double;
            case BOOLEAN -> v instanceof Boolean;
            case VECTOR -> v instanceof org.cogwork.api.data.Vector;
            default -> true;
        };
    }

    /** Fitting twice on the same rows gives the same transform; the fitted state is what the training rows say. */
    @Test
    void fittingIsDeterministic() {
        assertEquals(values(fit().apply(testRows())), values(fit().apply(testRows())));
    }

    /**
     * Applying learns nothing: the held-out rows transform the same before and after the transform saw other rows
     * (extreme values, unseen categories), and, for a row-wise transform, a row alone as among the others.
     */
    @Test
    void applyingLearnsNothing() {
        FittedTransform f = fit();
        List<List<Object>> before = values(f.apply(testRows()));
        f.apply(Dataset.of(train.schema(), unseen())).toList();
        assertEquals(before, values(f.apply(testRows())), "the same rows, the same output");
        if (rowWise()) {
            for (int i = 0; i < Math.min(20, test.size()); i++) {
                assertEquals(before.get(i), values(f.apply(Dataset.of(train.schema(), List.of(test.get(i))))).get(0),
                        "row " + i + " alone");
            }
        }
    }

    /** Categories never seen in training, extreme numbers, missing values: transformed, never an error. */
    @Test
    void unseenAndMissingValuesAreTransformed() {
        FittedTransform f = fit();
        List<Row> rows = unseen();
        List<Row> out = assertDoesNotThrow(() -> f.apply(Dataset.of(train.schema(), rows)).toList());
        assertEquals(rows.size(), out.size());
        out.forEach(r -> assertEquals(f.outputSchema(), r.schema()));
    }

    /** Held-out rows changed to what training never had: new categories and words, values 1000 times larger, missing values. */
    protected List<Row> unseen() {
        Schema s = train.schema();
        List<Row> out = new ArrayList<>();
        for (int k = 0; k < Math.min(10, test.size()); k++) {
            Object[] v = test.get(k).values();
            Object[] missing = test.get(k).values();
            for (int i = 0; i < s.size(); i++) {
                Field field = s.fields().get(i);
                if (field.name().equals(target())) {
                    continue;
                }
                switch (field.type()) {
                    case CATEGORICAL, STRING -> v[i] = "never-seen-" + k;
                    case TEXT -> v[i] = "zyxwv never seen words " + k;
                    case INT -> v[i] = v[i] == null ? null : (Long) v[i] * 1000;
                    case DOUBLE -> v[i] = v[i] == null ? null : (Double) v[i] * 1000;
                    default -> { }
                }
                if (field.nullable()) {
                    missing[i] = null;
                }
            }
            out.add(new Row(s, v));
            out.add(new Row(s, missing));
        }
        return out;
    }

    @Test
    void aSavedTransformLoadsAndTransformsTheSame() throws IOException {
        FittedTransform f = fit();
        byte[] saved = save(f);
        assertTrue(saved.length > 0);
        FittedTransform loaded = transform().load(new ByteArrayInputStream(saved));
        assertEquals(f.outputSchema(), loaded.outputSchema());
        assertEquals(values(f.apply(testRows())), values(loaded.apply(testRows())));
        assertEquals(values(f.apply(Dataset.of(train.schema(), unseen()))), values(loaded.apply(Dataset.of(train.schema(), unseen()))),
                "also on unseen and missing values");
        FittedTransform again = transform().load(new ByteArrayInputStream(save(loaded)));
        assertEquals(values(f.apply(testRows())), values(again.apply(testRows())), "a loaded transform saves again");
    }

    @Test
    void loadingGarbageFailsWithAnIOExceptionOrIllegalArgument() {
        Exception e = assertThrows(Exception.class, () -> transform().load(new ByteArrayInputStream("not a transform".getBytes())));
        assertTrue(e instanceof IOException || e instanceof IllegalArgumentException, "refused with " + e);
    }

    private static byte[] save(FittedTransform f) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        f.save(out);
        return out.toByteArray();
    }

    /** Column names for messages. */
    static final class ContractNames {
        static List<String> of(Schema s) {
            return s.fields().stream().map(Field::name).toList();
        }
    }
}
