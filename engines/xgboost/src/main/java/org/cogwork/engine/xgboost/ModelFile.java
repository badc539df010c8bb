package org.cogwork.engine.xgboost;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import org.cogwork.api.engine.EngineException;
import org.cogwork.api.engine.ModelDescriptor;
import org.cogwork.api.engine.Task;

/**
 * The saved form of an XGBoost model: a magic line, a format number, a JSON header (the descriptor, the input layout,
 * how many boosting rounds predict, the length and CRC-32 of the booster's bytes), then the booster in XGBoost's own
 * UBJSON model format, which XGBoost promises to load in later versions. Never Java serialization.
 *
 * <pre>
 * "COGWORK-XGBOOST\n" | int32 format (1) | int32 n | n bytes UTF-8 JSON header | int32 m | m bytes XGBoost UBJSON model
 * </pre>
 */
final class ModelFile {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final byte[] MAGIC = "COGWORK-XGBOOST\n".getBytes(StandardCharsets.US_ASCII);
    private static final int FORMAT = 1;
    private static final int MAX_HEADER = 64 << 20;

    private ModelFile() {
    }

    /** What {@link #read} gives back: everything a model needs besides the booster, and the booster's bytes. */
    record Saved(ModelDescriptor descriptor, Columns columns, int rounds, byte[] booster) {
    }

    static void write(OutputStream out, ModelDescriptor d, Columns columns, int rounds, byte[] booster) throws IOException {
        CRC32 crc = new CRC32();
        crc.update(booster);
        ObjectNode header = JSON.createObjectNode();
        header.put("engine", d.engine()).put("engineVersion", d.engineVersion()).put("algorithm", d.algorithm())
                .put("task", d.task().name()).put("target", d.target());
        d.labels().forEach(header.putArray("labels")::add);
        header.set("inputs", columns.toJson());
        header.put("rounds", rounds);
        header.set("provenance", JSON.valueToTree(d.provenance()));
        header.put("modelBytes", booster.length).put("modelCrc32", crc.getValue());
        byte[] json = JSON.writeValueAsBytes(header);
        DataOutputStream data = new DataOutputStream(out);
        data.write(MAGIC);
        data.writeInt(FORMAT);
        data.writeInt(json.length);
        data.write(json);
        data.writeInt(booster.length);
        data.write(booster);
        data.flush();
    }

    @SuppressWarnings("unchecked")
    static Saved read(InputStream in) throws EngineException {
        try {
            DataInputStream data = new DataInputStream(in);
            byte[] magic = data.readNBytes(MAGIC.length);
            if (!Arrays.equals(magic, MAGIC)) {
                throw new EngineException("not a model of Cogwork's XGBoost engine (no COGWORK-XGBOOST header)");
            }
            int format = data.readInt();
            if (format != FORMAT) {
                throw new EngineException("XGBoost model format " + format + " is not supported by this engine (reads format "
                        + FORMAT + ")");
            }
            JsonNode header = JSON.readTree(block(data, MAX_HEADER, "header"));
            byte[] booster = block(data, Integer.MAX_VALUE - 16, "model");
            CRC32 crc = new CRC32();
            crc.update(booster);
            if (header.path("modelCrc32").asLong(-1) != crc.getValue()) {
                throw new EngineException("corrupt XGBoost model: checksum of the model bytes does not match");
            }
            if (!XgboostEngine.NAME.equals(header.path("engine").asText())) {
                throw new EngineException("not an XGBoost model (engine=" + header.path("engine").asText() + ")");
            }
            Columns columns = Columns.fromJson(header.path("inputs"));
            List<String> labels = new ArrayList<>();
            header.path("labels").forEach(l -> labels.add(l.asText()));
            ModelDescriptor descriptor = new ModelDescriptor(XgboostEngine.NAME, header.path("engineVersion").asText(),
                    header.path("algorithm").asText(), Task.valueOf(header.path("task").asText()), columns.schema(),
                    header.path("target").isNull() ? null : header.path("target").asText(), labels,
                    JSON.convertValue(header.path("provenance"), Map.class));
            int rounds = header.path("rounds").asInt(0);
            if (rounds < 1) {
                throw new EngineException("corrupt XGBoost model: rounds " + rounds);
            }
            return new Saved(descriptor, columns, rounds, booster);
        } catch (EOFException e) {
            throw new EngineException("corrupt XGBoost model: truncated", e);
        } catch (JsonProcessingException e) {
            throw new EngineException("corrupt XGBoost model: unreadable header: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new EngineException("cannot read XGBoost model: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new EngineException("corrupt XGBoost model: " + e, e);
        }
    }

    private static byte[] block(DataInputStream data, int max, String what) throws IOException, EngineException {
        int n = data.readInt();
        if (n < 0 || n > max) {
            throw new EngineException("corrupt XGBoost model: " + what + " length " + n);
        }
        byte[] b = data.readNBytes(n);
        if (b.length != n) {
            throw new EOFException(what);
        }
        return b;
    }
}
