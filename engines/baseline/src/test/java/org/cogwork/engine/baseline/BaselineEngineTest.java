package org.cogwork.engine.baseline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.cogwork.api.data.DataType;
import org.cogwork.api.data.Dataset;
import org.cogwork.api.data.Field;
import org.cogwork.api.data.Row;
import org.cogwork.api.data.Schema;
import org.cogwork.api.engine.EngineException;
import org.cogwork.api.engine.Model;
import org.cogwork.api.engine.Prediction;
import org.cogwork.api.engine.Task;
import org.cogwork.api.engine.TrainingContext;
import org.cogwork.api.engine.TrainingRequest;
import org.cogwork.api.problem.InvalidFieldException;
import org.junit.jupiter.api.Test;

/** The baseline engine on real data from ../shared/data. */
class BaselineEngineTest {
    private static final Path DATA = Path.of("../../../shared/data");
    private final BaselineEngine engine = new BaselineEngine("1.0.0");

    @Test
    void majorityClassOfCreditData() throws Exception {
        Dataset credit = read("credit_data.csv", "Status", DataType.CATEGORICAL);
        try (Model m = engine.train(new TrainingRequest(Task.CLASSIFICATION, "majority", Map.of(), credit, "Status", 42),
                TrainingContext.none())) {
            Prediction p = m.predict(List.of(credit.toList().get(0))).get(0);
            // credit_data.csv: 3200 good, 1254 bad (../shared/data/README.md)
            assertEquals("good", p.value());
            assertEquals(3200 / 4454.0, p.scores().get("good"), 1e-12);
            assertEquals(1254 / 4454.0, p.scores().get("bad"), 1e-12);
            assertEquals(List.of("bad", "good"), m.descriptor().labels());

            Model loaded = engine.load(new ByteArrayInputStream(save(m)));
            assertEquals(m.predict(credit.toList().subList(0, 5)), loaded.predict(credit.toList().subList(0, 5)));
            assertEquals(m.descriptor().inputSchema(), loaded.descriptor().inputSchema());
        }
    }

    @Test
    void itTakesNoHyperparametersAndSaysSo() throws Exception {
        Dataset credit = read("credit_data.csv", "Status", DataType.CATEGORICAL);
        assertTrue(engine.info().algorithms().stream().allMatch(a -> a.hyperparameters().isEmpty()));
        InvalidFieldException e = assertThrows(InvalidFieldException.class, () -> engine.train(new TrainingRequest(
                Task.CLASSIFICATION, "majority", Map.of("epochs", 3), credit, "Status", 1), TrainingContext.none()));
        assertEquals("hyperparameters.epochs", e.field());
        assertEquals("algorithm 'majority' of engine 'baseline' has no hyperparameter 'epochs'; it has none", e.getMessage());
        assertEquals("hyperparameters.epochs", assertThrows(InvalidFieldException.class,
                () -> engine.checkHyperparameters("mean", Task.REGRESSION, Map.of("epochs", 3))).field());
    }

    @Test
    void meanOfConcreteStrength() throws Exception {
        Dataset concrete = read("concrete.csv", "compressive_strength", DataType.DOUBLE);
        double expected = concrete.toList().stream().mapToDouble(r -> (Double) r.get("compressive_strength")).average().orElseThrow();
        try (Model m = engine.train(new TrainingRequest(Task.REGRESSION, "mean", Map.of(), concrete, "compressive_strength", 1),
                TrainingContext.none())) {
            assertEquals(expected, (Double) m.predict(concrete.toList().subList(0, 1)).get(0).value(), 1e-9);
            assertEquals(expected, (Double) engine.load(new ByteArrayInputStream(save(m)))
                    .predict(concrete.toList().subList(0, 1)).get(0).value(), 1e-9);
        }
    }

    @Test
    void badRequestsNameTheProblem() throws Exception {
        Dataset credit = read("credit_data.csv", "Status", DataType.CATEGORICAL);
        assertEquals("regression target 'Status' must be numeric, is CATEGORICAL", assertThrows(IllegalArgumentException.class,
                () -> engine.train(new TrainingRequest(Task.REGRESSION, "mean", Map.of(), credit, "Status", 1),
                        TrainingContext.none())).getMessage());
        assertEquals("engine 'baseline' has no classification algorithm 'forest'; use majority", assertThrows(IllegalArgumentException.class,
                () -> engine.train(new TrainingRequest(Task.CLASSIFICATION, "forest", Map.of(), credit, "Status", 1),
                        TrainingContext.none())).getMessage());
        assertEquals("unknown column: status", assertThrows(IllegalArgumentException.class,
                () -> engine.train(new TrainingRequest(Task.CLASSIFICATION, "majority", Map.of(), credit, "status", 1),
                        TrainingContext.none())).getMessage());
        TrainingContext cancelled = new TrainingContext() {
            @Override
            public boolean isCancelled() {
                return true;
            }

            @Override
            public void progress(long step, long totalSteps, Map<String, Double> metrics) {
            }
        };
        assertEquals("training cancelled", assertThrows(EngineException.class,
                () -> engine.train(new TrainingRequest(Task.CLASSIFICATION, "majority", Map.of(), credit, "Status", 1),
                        cancelled)).getMessage());
        EngineException corrupt = assertThrows(EngineException.class,
                () -> engine.load(new ByteArrayInputStream("engine=tribuo\n".getBytes())));
        assertTrue(corrupt.getMessage().startsWith("not a baseline model"), corrupt.getMessage());
    }

    private static byte[] save(Model m) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        m.save(out);
        return out.toByteArray();
    }

    /**
     * Reads one of the shared CSV files (quoted strings, unquoted numbers, no embedded commas): every column
     * numeric except the target when it is categorical. The real CSV reader is the file connector's job.
     */
    private static Dataset read(String file, String target, DataType targetType) throws IOException {
        List<String> lines = Files.readAllLines(DATA.resolve(file));
        String[] header = lines.get(0).replace("\"", "").split(",");
        List<Field> fields = new ArrayList<>();
        for (String h : header) {
            fields.add(Field.of(h, h.equals(target) ? targetType : DataType.STRING));
        }
        Schema schema = new Schema(fields);
        List<Row> rows = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] cells = line.split(",", -1);
            Object[] values = new Object[cells.length];
            for (int i = 0; i < cells.length; i++) {
                String c = cells[i].replace("\"", "");
                values[i] = c.isEmpty() ? null : fields.get(i).type() == DataType.DOUBLE ? Double.valueOf(c) : c;
            }
            rows.add(new Row(schema, values));
        }
        return Dataset.of(schema, rows);
    }
}
