package org.cogwork.api.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.cogwork.api.problem.InvalidFieldException;
import org.junit.jupiter.api.Test;

/** The one hyperparameter checker: types, bounds, choices, null and wrong JSON types, one wording. */
class HyperparameterTest {
    private static final Hyperparameter TREES = Hyperparameter.integer("numTrees", 50, "number of trees").atLeast(1).atMost(100_000);
    private static final Hyperparameter FRACTION = Hyperparameter.number("fractionFeaturesInSplit", 0.5, "features per split")
            .greaterThan(0).lessThan(1);
    private static final Hyperparameter OUTPUTS = Hyperparameter.choice("outputs", "logits", List.of("logits", "probabilities"), "what comes out");

    @Test
    void integersTakeWholeJsonNumbersWithinTheirBoundsAsLongs() {
        assertEquals(1L, TREES.check(1));
        assertEquals(100_000L, TREES.check(100_000L));
        assertEquals(7L, TREES.check(7.0), "JSON has one number type: 7.0 is the integer 7");
        assertEquals(7L, TREES.check(new BigDecimal("7.000")));
        assertEquals(7L, TREES.check(BigInteger.valueOf(7)));
        assertEquals(7L, TREES.check((short) 7));
        assertRefused(TREES, 0, "numTrees must be an integer in [1, 100000], was 0");
        assertRefused(TREES, 100_001, "numTrees must be an integer in [1, 100000], was 100001");
        assertRefused(TREES, -5L, "numTrees must be an integer in [1, 100000], was -5");
        assertRefused(TREES, 1.5, "numTrees must be an integer in [1, 100000], was 1.5");
        assertRefused(TREES, 0.999999, "numTrees must be an integer in [1, 100000], was 0.999999");
        assertRefused(TREES, "abc", "numTrees must be an integer in [1, 100000], was \"abc\"");
        assertRefused(TREES, "5", "numTrees must be an integer in [1, 100000], was \"5\"");
        assertRefused(TREES, true, "numTrees must be an integer in [1, 100000], was true");
        assertRefused(TREES, List.of(5), "numTrees must be an integer in [1, 100000], was [5]");
        assertRefused(TREES, Map.of("value", 5), "numTrees must be an integer in [1, 100000], was {value=5}");
        assertRefused(TREES, null, "numTrees must be an integer in [1, 100000], was null");
        assertRefused(TREES, Double.NaN, "numTrees must be an integer in [1, 100000], was NaN");
        assertRefused(TREES, Double.POSITIVE_INFINITY, "numTrees must be an integer in [1, 100000], was Infinity");
        Hyperparameter unbounded = Hyperparameter.integer("seed", 0, "a seed");
        assertEquals(Long.MAX_VALUE, unbounded.check(Long.MAX_VALUE));
        assertEquals(-3L, unbounded.check(-3));
        assertRefused(unbounded, new BigInteger("100000000000000000000"), "seed must be an integer, was 100000000000000000000");
        assertRefused(unbounded, 1e30, "seed must be an integer, was 1.0E30");
    }

    @Test
    void exclusiveAndInclusiveBoundsAreKeptApart() {
        assertEquals(0.5, FRACTION.check(0.5));
        assertEquals(1e-9, FRACTION.check(1e-9));
        assertEquals(Math.nextDown(1.0), FRACTION.check(Math.nextDown(1.0)));
        assertEquals(0.0, Hyperparameter.number("dropout", 0, "").atLeast(0).lessThan(1).check(0));
        assertRefused(FRACTION, 0, "fractionFeaturesInSplit must be a number in (0, 1), was 0");
        assertRefused(FRACTION, 0.0, "fractionFeaturesInSplit must be a number in (0, 1), was 0.0");
        assertRefused(FRACTION, 1, "fractionFeaturesInSplit must be a number in (0, 1), was 1");
        assertRefused(FRACTION, -0.1, "fractionFeaturesInSplit must be a number in (0, 1), was -0.1");
        Hyperparameter half = Hyperparameter.number("fraction", 1, "").greaterThan(0).atMost(1);
        assertEquals(1.0, half.check(1));
        assertRefused(half, 1.0000001, "fraction must be a number in (0, 1], was 1.0000001");
        Hyperparameter above = Hyperparameter.number("learningRate", 0.5, "").greaterThan(0);
        assertEquals(1e6, above.check(1_000_000));
        assertRefused(above, 0, "learningRate must be a number > 0, was 0");
        Hyperparameter below = Hyperparameter.integer("depth", 3, "").atMost(10);
        assertRefused(below, 11, "depth must be an integer <= 10, was 11");
        assertRefused(Hyperparameter.integer("n", 3, "").lessThan(10), 10, "n must be an integer < 10, was 10");
        assertRefused(Hyperparameter.integer("n", 3, "").greaterThan(0), 0, "n must be an integer > 0, was 0");
        Hyperparameter tiny = Hyperparameter.number("learningRate", 0.001, "").atLeast(1e-7).lessThan(10);
        assertRefused(tiny, 0, "learningRate must be a number in [0.0000001, 10), was 0");
        assertEquals(1e-7, tiny.check(1e-7));
        assertRefused(Hyperparameter.number("x", 0, ""), "0.5", "x must be a number, was \"0.5\"");
        assertRefused(Hyperparameter.number("x", 0, ""), Double.NaN, "x must be a number, was NaN");
        assertRefused(Hyperparameter.number("x", 0, ""), new BigDecimal("1e400"), "x must be a number, was 1E+400");
    }

    @Test
    void booleansStringsChoicesAndPathsTakeOnlyTheirJsonType() {
        Hyperparameter flag = Hyperparameter.bool("standardize", true, "");
        assertEquals(false, flag.check(false));
        assertRefused(flag, "true", "standardize must be true or false, was \"true\"");
        assertRefused(flag, 1, "standardize must be true or false, was 1");
        Hyperparameter labels = Hyperparameter.string("labels", null, "");
        assertEquals("", labels.check(""));
        assertEquals("a,b", labels.check("a,b"));
        assertRefused(labels, 5, "labels must be a string, was 5");
        assertEquals("probabilities", OUTPUTS.check("probabilities"));
        assertRefused(OUTPUTS, "Logits", "outputs must be one of [logits, probabilities], was \"Logits\"");
        assertRefused(OUTPUTS, 1, "outputs must be one of [logits, probabilities], was 1");
        Hyperparameter path = Hyperparameter.path("path", "the file").asRequired();
        assertEquals("/models/a.pt", path.check("/models/a.pt"));
        assertRefused(path, " ", "path must be a file path (a non-blank string), was \" \"");
        assertRefused(path, null, "path must be a file path (a non-blank string), was null");
        String long_ = "x".repeat(500);
        InvalidFieldException shortened = assertThrows(InvalidFieldException.class, () -> flag.check(long_));
        assertTrue(shortened.getMessage().length() < 150, "a long value is cut short in the message: " + shortened.getMessage());
    }

    @Test
    void integerListsCheckEveryElement() {
        Hyperparameter hidden = Hyperparameter.integerList("hidden", List.of(128), "layer sizes").atLeast(1).atMost(65_536);
        assertEquals(List.of(128L), hidden.defaultValue());
        assertEquals(List.of(64L, 32L), hidden.check(List.of(64, 32.0)));
        assertEquals(List.of(), hidden.check(List.of()));
        assertRefused(hidden, List.of(64, 0), "hidden must be a list of integers, each in [1, 65536], was [64, 0]");
        assertRefused(hidden, List.of(1.5), "hidden must be a list of integers, each in [1, 65536], was [1.5]");
        assertRefused(hidden, Arrays.asList(8, null), "hidden must be a list of integers, each in [1, 65536], was [8, null]");
        assertRefused(hidden, 64, "hidden must be a list of integers, each in [1, 65536], was 64");
        assertRefused(hidden, "64,32", "hidden must be a list of integers, each in [1, 65536], was \"64,32\"");
    }

    @Test
    void anyTakesEveryValueButNull() {
        Hyperparameter any = new Hyperparameter("seconds", Hyperparameter.Type.ANY, null, null, true, null, true, null, false, null);
        assertEquals("soon", any.check("soon"));
        assertEquals(List.of(1), any.check(List.of(1)));
        assertRefused(any, null, "seconds must be a value, was null");
        assertEquals("", any.description());
    }

    @Test
    void declarationsThatCannotHoldAreRefusedWhenMade() {
        assertEquals("the default of hyperparameter numTrees must be an integer >= 1, was 0",
                assertThrows(IllegalArgumentException.class, () -> Hyperparameter.integer("numTrees", 0, "").atLeast(1).atMost(100_000)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> Hyperparameter.choice("c", "x", List.of("a", "b"), ""));
        assertThrows(IllegalArgumentException.class, () -> Hyperparameter.choice("c", null, List.of(), ""));
        assertThrows(IllegalArgumentException.class, () -> Hyperparameter.string("s", null, "").atLeast(1));
        assertThrows(IllegalArgumentException.class, () -> Hyperparameter.integer("n", 5, "").atLeast(2.5));
        assertThrows(IllegalArgumentException.class, () -> Hyperparameter.number("n", 5, "").atMost(Double.POSITIVE_INFINITY));
        assertThrows(IllegalArgumentException.class, () -> Hyperparameter.number("n", 0.5, "").greaterThan(1).atMost(0.5));
        assertThrows(IllegalArgumentException.class, () -> Hyperparameter.integer("n", 1, "").atLeast(1).lessThan(1));
        assertThrows(IllegalArgumentException.class, () -> new Hyperparameter("p", Hyperparameter.Type.PATH, "/a", null, true, null,
                true, List.of(), true, ""));
        assertThrows(IllegalArgumentException.class, () -> Hyperparameter.integer(" ", 1, ""));
        assertEquals(null, Hyperparameter.integer("n", 5, "").asRequired().defaultValue(), "a required one has no default");
        assertEquals(1L, Hyperparameter.integer("n", 5, "").atLeast(1).min(), "integer bounds are Longs");
        assertEquals(1.0, Hyperparameter.number("n", 5, "").atMost(10).atLeast(1).min(), "number bounds are Doubles");
        assertThrows(IllegalArgumentException.class, () -> new AlgorithmInfo("a", Task.REGRESSION, "",
                List.of(Hyperparameter.integer("n", 1, ""), Hyperparameter.number("n", 1, ""))), "names are unique");
    }

    @Test
    void resolveChecksNamesValuesAndRequiredOnesAndFillsInDefaults() {
        EngineInfo info = new EngineInfo("trees", "1.0", List.of(
                new AlgorithmInfo("forest", Task.CLASSIFICATION, "a forest", List.of(TREES, FRACTION, Hyperparameter.string("labels", null, ""))),
                new AlgorithmInfo("script", Task.CLASSIFICATION, "a script", List.of(
                        Hyperparameter.path("path", "the file to use").asRequired(), OUTPUTS))));
        Map<String, Object> defaults = new LinkedHashMap<>();
        defaults.put("numTrees", 50L);
        defaults.put("fractionFeaturesInSplit", 0.5);
        assertEquals(defaults, info.resolve("forest", Task.CLASSIFICATION, Map.of()), "defaults in declaration order; no default, no entry");
        assertEquals(List.of("numTrees", "fractionFeaturesInSplit"), List.copyOf(info.resolve("forest", Task.CLASSIFICATION, Map.of()).keySet()));
        assertEquals(Map.of("numTrees", 7L, "fractionFeaturesInSplit", 0.5, "labels", "a,b"),
                info.resolve("forest", Task.CLASSIFICATION, Map.of("numTrees", 7, "labels", "a,b")));

        InvalidFieldException unknown = assertThrows(InvalidFieldException.class,
                () -> info.resolve("forest", Task.CLASSIFICATION, Map.of("numTree", 5)));
        assertEquals("hyperparameters.numTree", unknown.field());
        assertEquals("algorithm 'forest' of engine 'trees' has no hyperparameter 'numTree'; it has "
                + "[fractionFeaturesInSplit, labels, numTrees]", unknown.getMessage());
        assertEquals(400, unknown.status());
        InvalidFieldException range = assertThrows(InvalidFieldException.class,
                () -> info.resolve("forest", Task.CLASSIFICATION, Map.of("numTrees", 0)));
        assertEquals("hyperparameters.numTrees", range.field());
        Map<String, Object> withNull = new HashMap<>();
        withNull.put("numTrees", null);
        assertEquals("hyperparameters.numTrees", assertThrows(InvalidFieldException.class,
                () -> info.resolve("forest", Task.CLASSIFICATION, withNull)).field());

        InvalidFieldException missing = assertThrows(InvalidFieldException.class,
                () -> info.resolve("script", Task.CLASSIFICATION, Map.of()));
        assertEquals("hyperparameters.path", missing.field());
        assertEquals("path is required: the file to use", missing.getMessage());
        InvalidFieldException sentFirst = assertThrows(InvalidFieldException.class,
                () -> info.resolve("script", Task.CLASSIFICATION, Map.of("outputs", "scores")));
        assertEquals("hyperparameters.outputs", sentFirst.field(), "what was sent is judged before what was left out");
        assertEquals(Map.of("path", "/a.pt", "outputs", "logits"), info.resolve("script", Task.CLASSIFICATION, Map.of("path", "/a.pt")));
        assertThrows(IllegalArgumentException.class, () -> info.resolve("forest", Task.REGRESSION, Map.of()));
    }

    @Test
    void theDefaultEngineCheckIsTheDeclaredOne() {
        EngineInfo info = new EngineInfo("trees", "1.0", List.of(new AlgorithmInfo("forest", Task.CLASSIFICATION, "", List.of(TREES))));
        Engine engine = new Engine() {
            @Override
            public EngineInfo info() {
                return info;
            }

            @Override
            public Model train(TrainingRequest request, TrainingContext context) {
                throw new UnsupportedOperationException();
            }

            @Override
            public Model load(java.io.InputStream in) {
                throw new UnsupportedOperationException();
            }
        };
        engine.checkHyperparameters("forest", Task.CLASSIFICATION, Map.of("numTrees", 3));
        assertEquals("numTrees must be an integer in [1, 100000], was 0", assertThrows(InvalidFieldException.class,
                () -> engine.checkHyperparameters("forest", Task.CLASSIFICATION, Map.of("numTrees", 0))).getMessage());
        assertEquals("hyperparameters.depth", assertThrows(InvalidFieldException.class,
                () -> engine.checkHyperparameters("forest", Task.CLASSIFICATION, Map.of("depth", 3))).field());
    }

    @Test
    @SuppressWarnings("deprecation")
    void theMapFormOfBeforeStillDeclaresNamesAndDescribes() {
        Map<String, String> old = new LinkedHashMap<>();
        old.put("seconds", "how long it hangs (default 20)");
        old.put("megabytes", "memory it holds");
        AlgorithmInfo a = new AlgorithmInfo("hang", Task.CLASSIFICATION, "hangs", old);
        assertEquals(List.of("seconds", "megabytes"), a.hyperparameters().stream().map(Hyperparameter::name).toList());
        assertEquals(Hyperparameter.Type.ANY, a.hyperparameters().get(0).type());
        assertEquals(old, a.parameters());
        EngineInfo info = new EngineInfo("faulty", "1", List.of(a));
        assertEquals(Map.of("seconds", "soon"), info.resolve("hang", Task.CLASSIFICATION, Map.of("seconds", "soon")));
        assertEquals("hyperparameters.minutes", assertThrows(InvalidFieldException.class,
                () -> info.resolve("hang", Task.CLASSIFICATION, Map.of("minutes", 1))).field(), "names are still checked");
        AlgorithmInfo typed = new AlgorithmInfo("forest", Task.CLASSIFICATION, "", List.of(TREES, FRACTION));
        assertEquals(Map.of("numTrees", "number of trees (default 50)", "fractionFeaturesInSplit", "features per split (default 0.5)"),
                typed.parameters());
    }

    private static void assertRefused(Hyperparameter h, Object value, String message) {
        InvalidFieldException e = assertThrows(InvalidFieldException.class, () -> h.check(value), String.valueOf(value));
        assertEquals(message, e.getMessage());
        assertEquals("hyperparameters." + h.name(), e.field());
        assertEquals(400, e.status());
    }
}
