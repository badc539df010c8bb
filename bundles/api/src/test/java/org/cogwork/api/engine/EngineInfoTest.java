package org.cogwork.api.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.cogwork.api.data.DataType;
import org.cogwork.api.data.Dataset;
import org.cogwork.api.data.Field;
import org.cogwork.api.data.Row;
import org.cogwork.api.data.Schema;
import org.junit.jupiter.api.Test;

class EngineInfoTest {
    private final EngineInfo info = new EngineInfo("trees", "1.0", List.of(
            new AlgorithmInfo("cart", Task.CLASSIFICATION, "a classification tree", List.of()),
            new AlgorithmInfo("forest", Task.CLASSIFICATION, "a classification forest", List.of()),
            new AlgorithmInfo("cart", Task.REGRESSION, "a regression tree", List.of())));

    @Test
    void algorithmNamesMayRepeatAcrossTasks() {
        assertEquals("a regression tree", info.algorithm("cart", Task.REGRESSION).description());
        assertEquals("a classification tree", info.algorithm("cart", Task.CLASSIFICATION).description());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> info.algorithm("forest", Task.REGRESSION));
        assertEquals("engine 'trees' has no regression algorithm 'forest'; use cart", e.getMessage());
    }

    @Test
    void targetFieldIsCheckedAgainstTheTask() {
        Schema schema = Schema.of(Field.of("size", DataType.DOUBLE), Field.of("kind", DataType.CATEGORICAL));
        Dataset data = Dataset.of(schema, List.of(new Row(schema, 1.5, "a")));
        assertEquals("kind", new TrainingRequest(Task.CLASSIFICATION, "cart", Map.of(), data, "kind", 1).targetField().name());
        assertEquals("size", new TrainingRequest(Task.REGRESSION, "cart", Map.of(), data, "size", 1).targetField().name());
        assertNull(new TrainingRequest(Task.CLUSTERING, "kmeans", Map.of(), data, null, 1).targetField());
        IllegalArgumentException regression = assertThrows(IllegalArgumentException.class,
                () -> new TrainingRequest(Task.REGRESSION, "cart", Map.of(), data, "kind", 1).targetField());
        assertEquals("regression target 'kind' must be numeric, is CATEGORICAL", regression.getMessage());
        IllegalArgumentException classification = assertThrows(IllegalArgumentException.class,
                () -> new TrainingRequest(Task.CLASSIFICATION, "cart", Map.of(), data, "size", 1).targetField());
        assertEquals("classification target 'size' must be CATEGORICAL, STRING, BOOLEAN or INT, is DOUBLE",
                classification.getMessage());
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> new TrainingRequest(Task.CLASSIFICATION, "cart", Map.of(), data, "colour", 1).targetField());
        assertEquals(true, missing.getMessage().contains("colour"), missing.getMessage());
    }
}
