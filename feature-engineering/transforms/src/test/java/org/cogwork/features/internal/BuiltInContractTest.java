package org.cogwork.features.internal;

import java.util.List;
import java.util.Map;
import org.cogwork.api.feature.FeatureTransform;
import org.cogwork.transform.contract.TransformContract;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Every built-in transform passes the transform contract suite, on the dataset its kind needs. */
class BuiltInContractTest {
    /** A new kind of built-in gets its run here: this fails until it has one. */
    @Test
    void everyBuiltInHasItsRun() {
        List<String> covered = List.of(BuiltInContractTest.class.getDeclaredClasses()).stream()
                .filter(TransformContract.class::isAssignableFrom)
                .filter(c -> !java.lang.reflect.Modifier.isAbstract(c.getModifiers())).map(c -> c.getSimpleName().toLowerCase()).sorted().toList();
        assertEquals(BuiltIn.transforms().stream().map(FeatureTransform::name).sorted().toList(), covered);
    }

    abstract static class Credit extends TransformContract {
        private final String name;
        private final Map<String, Object> params;

        Credit(String name, Map<String, Object> params) {
            this.name = name;
            this.params = params;
        }

        @Override
        protected FeatureTransform transform() {
            return BuiltIn.transforms().stream().filter(t -> t.name().equals(name)).findFirst().orElseThrow();
        }

        @Override
        protected Map<String, Object> params() {
            return params;
        }
    }

    /** Movie reviews: free text, target sentiment. */
    abstract static class Reviews extends Credit {
        Reviews(String name, Map<String, Object> params) {
            super(name, params);
        }

        @Override
        protected String dataset() {
            return "imdb_reviews_2k.csv";
        }

        @Override
        protected String target() {
            return "sentiment";
        }
    }

    /** Daily ridership: a date column, in time order. */
    abstract static class Ridership extends Credit {
        Ridership(String name, Map<String, Object> params) {
            super(name, params);
        }

        @Override
        protected String dataset() {
            return "chicago_ridership.csv";
        }

        @Override
        protected String target() {
            return "ridership";
        }
    }

    @Nested
    class Standardize extends Credit {
        Standardize() {
            super("standardize", Map.of());
        }
    }

    @Nested
    class MinMax extends Credit {
        MinMax() {
            super("minmax", Map.of());
        }
    }

    @Nested
    class Robust extends Credit {
        Robust() {
            super("robust", Map.of());
        }
    }

    @Nested
    class Impute extends Credit {
        Impute() {
            super("impute", Map.of("strategy", "median", "indicator", true));
        }
    }

    @Nested
    class OneHot extends Credit {
        OneHot() {
            super("onehot", Map.of("columns", List.of("Home", "Marital", "Job")));
        }
    }

    @Nested
    class Frequency extends Credit {
        Frequency() {
            super("frequency", Map.of("columns", List.of("Home", "Job")));
        }
    }

    @Nested
    class Ordinal extends Credit {
        Ordinal() {
            super("ordinal", Map.of("columns", List.of("Records", "Home")));
        }
    }

    @Nested
    class Target extends Credit {
        Target() {
            super("target", Map.of("columns", List.of("Home", "Job")));
        }

        @Override
        protected boolean needsTarget() {
            return true;
        }
    }

    @Nested
    class TfIdf extends Reviews {
        TfIdf() {
            super("tfidf", Map.of("columns", List.of("review"), "maxFeatures", 200));
        }
    }

    @Nested
    class Tokens extends Reviews {
        Tokens() {
            super("tokens", Map.of("columns", List.of("review"), "maxLength", 32, "maxFeatures", 500));
        }
    }

    @Nested
    class Concat extends Credit {
        Concat() {
            super("concat", Map.of("columns", List.of("Home", "Marital", "Job"), "name", "household"));
        }
    }

    @Nested
    class Vector extends Credit {
        Vector() {
            super("vector", Map.of("columns", List.of("Seniority", "Time", "Age")));
        }
    }

    @Nested
    class Expression extends Credit {
        Expression() {
            super("expression", Map.of("expressions", Map.of("debt_ratio", "Debt / Income", "log_amount", "log1p(Amount)")));
        }
    }

    @Nested
    class Polynomial extends Credit {
        Polynomial() {
            super("polynomial", Map.of("columns", List.of("Age", "Time"), "degree", 2));
        }
    }

    @Nested
    class Variance extends Credit {
        Variance() {
            super("variance", Map.of("threshold", 0.5));
        }
    }

    @Nested
    class Correlation extends Credit {
        Correlation() {
            super("correlation", Map.of("threshold", 0.9));
        }
    }

    @Nested
    class KBest extends Credit {
        KBest() {
            super("kbest", Map.of("k", 4));
        }

        @Override
        protected boolean needsTarget() {
            return true;
        }
    }

    @Nested
    class Calendar extends Ridership {
        Calendar() {
            super("calendar", Map.of("columns", List.of("date"), "cyclical", true));
        }
    }

    @Nested
    class Lag extends Ridership {
        Lag() {
            super("lag", Map.of("columns", List.of("temp"), "lags", List.of(1, 7), "orderBy", "date"));
        }

        @Override
        protected boolean rowWise() {
            return false;
        }
    }

    @Nested
    class Rolling extends Ridership {
        Rolling() {
            super("rolling", Map.of("columns", List.of("temp"), "windows", List.of(7), "stats", List.of("mean", "std"), "orderBy", "date"));
        }

        @Override
        protected boolean rowWise() {
            return false;
        }
    }
}
