package org.cogwork.engine.tribuo;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.InvalidProtocolBufferException;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import org.cogwork.api.data.DataType;
import org.cogwork.api.data.Field;
import org.cogwork.api.data.Schema;
import org.cogwork.api.engine.EngineException;
import org.cogwork.api.engine.ModelDescriptor;
import org.cogwork.api.engine.Task;
import org.tribuo.Model;
import org.tribuo.protos.core.ModelProto;

/**
 * The saved form of a model: the magic line {@code COGWORK-TRIBUO}, a format number, a JSON header holding the
 * {@link ModelDescriptor} (and the length and CRC-32 of the model bytes), then the model: format {@value #FORMAT} the
 * Tribuo model as a protobuf {@link ModelProto}, format {@value #FLAT_FOREST} a random forest or CART tree in its flat form
 * ({@link FlatForest#write}: Tribuo's writer takes seconds over a forest's leaves; the flat form is what predicts).
 * Never Java serialization: a saved model cannot run code when it is loaded.
 *
 * <pre>
 * "COGWORK-TRIBUO\n" | int32 format (1 or 2) | int32 n | n bytes UTF-8 JSON header | int32 m | m bytes model
 * </pre>
 */
final class ModelFormat {
    static final byte[] MAGIC = "COGWORK-TRIBUO\n".getBytes(StandardCharsets.US_ASCII);
    static final int FORMAT = 1;
    static final int FLAT_FOREST = 2;
    private static final int MAX_HEADER = 64 << 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    private ModelFormat() {
    }

    /** A saved model: its descriptor and the Tribuo model, or a forest saved flat (then {@code model} is null). */
    record Loaded(ModelDescriptor descriptor, Model<?> model, FlatForest forest) {
    }

    /** Writes a Tribuo model as its protobuf (format {@value #FORMAT}). */
    static void write(OutputStream out, ModelDescriptor d, Model<?> model) throws IOException {
        write(out, FORMAT, d, model.serialize().toByteArray());
    }

    /** Writes a random forest or CART tree in its flat form (format {@value #FLAT_FOREST}). */
    static void write(OutputStream out, ModelDescriptor d, FlatForest forest) throws IOException {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream(1 << 16);
        DataOutputStream data = new DataOutputStream(bytes);
        forest.write(data);
        data.flush();
        write(out, FLAT_FOREST, d, bytes.toByteArray());
    }

    private static void write(OutputStream out, int format, ModelDescriptor d, byte[] proto) throws IOException {
        CRC32 crc = new CRC32();
        crc.update(proto);
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("engine", d.engine());
        header.put("engineVersion", d.engineVersion());
        header.put("algorithm", d.algorithm());
        header.put("task", d.task().name());
        header.put("target", d.target());
        header.put("labels", d.labels());
        List<Map<String, Object>> fields = new ArrayList<>();
        for (Field f : d.inputSchema().fields()) {
            fields.add(Map.of("name", f.name(), "type", f.type().name(), "nullable", f.nullable()));
        }
        header.put("inputSchema", fields);
        header.put("provenance", d.provenance());
        header.put("modelBytes", proto.length);
        header.put("modelCrc32", crc.getValue());
        byte[] json = JSON.writeValueAsBytes(header);
        DataOutputStream data = new DataOutputStream(out);
        data.write(MAGIC);
        data.writeInt(format);
        data.writeInt(json.length);
        data.write(json);
        data.writeInt(proto.length);
        data.write(proto);
        data.flush();
    }

    static Loaded read(InputStream in) throws EngineException {
        try {
            DataInputStream data = new DataInputStream(in);
            byte[] magic = data.readNBytes(MAGIC.length);
            if (!Arrays.equals(magic, MAGIC)) {
                throw new EngineException("not a Tribuo model of Cogwork (no COGWORK-TRIBUO header)");
            }
            int format = data.readInt();
            if (format != FORMAT && format != FLAT_FOREST) {
                throw new EngineException("Tribuo model format " + format + " is not supported by this engine (reads formats "
                        + FORMAT + " and " + FLAT_FOREST + ")");
            }
            byte[] json = readBlock(data, MAX_HEADER, "header");
            Map<?, ?> header = JSON.readValue(json, Map.class);
            byte[] proto = readBlock(data, Integer.MAX_VALUE - 16, "model");
            CRC32 crc = new CRC32();
            crc.update(proto);
            if (!(header.get("modelCrc32") instanceof Number expected) || expected.longValue() != crc.getValue()) {
                throw new EngineException("corrupt Tribuo model: checksum of the model bytes does not match");
            }
            ModelDescriptor descriptor = descriptor(header);
            if (format == FLAT_FOREST) {
                FlatForest forest = FlatForest.read(proto);
                if (forest.classification() != (descriptor.task() == Task.CLASSIFICATION) || descriptor.task() == Task.CLUSTERING) {
                    throw new EngineException("corrupt Tribuo model: the forest does not predict " + descriptor.task());
                }
                return new Loaded(descriptor, null, forest);
            }
            Model<?> model = Model.deserialize(ModelProto.parseFrom(proto));
            Class<? extends org.tribuo.Output<?>> expectedOutput = switch (descriptor.task()) {
                case CLASSIFICATION -> org.tribuo.classification.Label.class;
                case REGRESSION -> org.tribuo.regression.Regressor.class;
                case CLUSTERING -> org.tribuo.clustering.ClusterID.class;
            };
            if (!model.validate(expectedOutput)) {
                throw new EngineException("corrupt Tribuo model: the model does not predict " + descriptor.task());
            }
            return new Loaded(descriptor, model, null);
        } catch (EOFException e) {
            throw new EngineException("corrupt Tribuo model: truncated", e);
        } catch (JsonProcessingException e) {
            throw new EngineException("corrupt Tribuo model: unreadable header: " + e.getOriginalMessage(), e);
        } catch (InvalidProtocolBufferException e) {
            throw new EngineException("corrupt Tribuo model: unreadable model bytes: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new EngineException("cannot read Tribuo model: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            // Tribuo's deserializer reports bad content with IllegalStateException / IllegalArgumentException
            throw new EngineException("corrupt Tribuo model: " + e, e);
        }
    }

    private static byte[] readBlock(DataInputStream data, int max, String what) throws IOException, EngineException {
        int n = data.readInt();
        if (n < 0 || n > max) {
            throw new EngineException("corrupt Tribuo model: " + what + " length " + n);
        }
        byte[] b = data.readNBytes(n);
        if (b.length != n) {
            throw new EOFException(what);
        }
        return b;
    }

    @SuppressWarnings("unchecked")
    private static ModelDescriptor descriptor(Map<?, ?> h) throws EngineException {
        if (!TribuoEngine.NAME.equals(h.get("engine"))) {
            throw new EngineException("not a Tribuo model (engine=" + h.get("engine") + ")");
        }
        List<Field> fields = new ArrayList<>();
        for (Map<String, Object> f : (List<Map<String, Object>>) h.get("inputSchema")) {
            fields.add(new Field((String) f.get("name"), DataType.valueOf((String) f.get("type")),
                    Boolean.TRUE.equals(f.get("nullable"))));
        }
        return new ModelDescriptor((String) h.get("engine"), (String) h.get("engineVersion"), (String) h.get("algorithm"),
                Task.valueOf((String) h.get("task")), new Schema(fields), (String) h.get("target"),
                (List<String>) h.get("labels"), (Map<String, Object>) h.get("provenance"));
    }
}
