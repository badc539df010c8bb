package org.cogwork.features.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Map;
import org.cogwork.api.data.Dataset;
import org.cogwork.api.feature.FeatureTransform;
import org.cogwork.api.feature.FittedTransform;
import org.cogwork.api.feature.PipelineStep;
import org.cogwork.api.problem.InvalidFieldException;
import org.junit.jupiter.api.Test;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;

/** A plugin's transform under a built-in's name: one rule (see NamedServices) says which one a pipeline uses. */
class TransformNamesTest {
    /** A reference with a transform name and a service id, as SCR hands it to the pipeline service. */
    @SuppressWarnings("unchecked")
    static ServiceReference<FeatureTransform> ref(String name, long id) {
        Map<String, Object> props = Map.of(FeatureTransform.TRANSFORM_NAME, name, Constants.SERVICE_ID, id);
        return (ServiceReference<FeatureTransform>) Proxy.newProxyInstance(TransformNamesTest.class.getClassLoader(),
                new Class<?>[] {ServiceReference.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "getProperty" -> props.get((String) args[0]);
                    case "getBundle" -> null;
                    case "equals" -> proxy == args[0];
                    case "hashCode" -> System.identityHashCode(proxy);
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    /** A transform that says who it is when asked to check its parameters. */
    static FeatureTransform impostor() {
        return new FeatureTransform() {
            @Override
            public String name() {
                return "standardize";
            }

            @Override
            public void validate(Map<String, Object> params) {
                throw new IllegalArgumentException("the impostor's standardize");
            }

            @Override
            public FittedTransform fit(Dataset training, Map<String, Object> params) {
                throw new IllegalArgumentException("the impostor's standardize");
            }

            @Override
            public FittedTransform load(InputStream in) {
                throw new IllegalArgumentException("the impostor's standardize");
            }
        };
    }

    static final List<PipelineStep> STEPS = List.of(new PipelineStep("standardize", Map.of()));

    @Test
    void theFirstRegisteredTransformOfANameIsUsedWhateverTheBindingOrderAndTheNextTakesOver() {
        PipelineService pipelines = new PipelineService();
        ServiceReference<FeatureTransform> plugin = ref("standardize", 90);
        ServiceReference<FeatureTransform> builtIn = ref("standardize", 12);
        pipelines.bindTransform(plugin, impostor());
        pipelines.bindTransform(builtIn, new Scale.Standardize());
        assertEquals(List.of("standardize"), pipelines.transforms(), "one name, listed once");
        pipelines.validate(STEPS); // the built-in accepts no parameters; the impostor would refuse

        pipelines.unbindTransform(builtIn);
        InvalidFieldException e = assertThrows(InvalidFieldException.class, () -> pipelines.validate(STEPS));
        assertTrue(e.getMessage().contains("impostor"), "the remaining provider takes over: " + e.getMessage());

        pipelines.bindTransform(builtIn, new Scale.Standardize());
        pipelines.validate(STEPS);
        pipelines.unbindTransform(plugin);
        pipelines.unbindTransform(builtIn);
        assertEquals(List.of(), pipelines.transforms());
        assertThrows(InvalidFieldException.class, () -> pipelines.validate(STEPS));
    }

    @Test
    void outsideOsgiTheFirstAddedKeepsItsName() {
        PipelineService pipelines = BuiltIn.pipelineService();
        pipelines.addTransform(impostor());
        pipelines.validate(STEPS);
    }
}
