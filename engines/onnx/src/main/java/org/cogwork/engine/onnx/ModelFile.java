package org.cogwork.engine.onnx;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.cogwork.api.engine.EngineException;

/**
 * The saved form of an ONNX model: a magic string and format version, a JSON header (task, labels, the feature
 * columns and how they feed the model's inputs, provenance), then the ONNX file's bytes, unchanged: the model is the
 * artifact.
 */
final class ModelFile {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final byte[] MAGIC = "COGWORK-ONNX".getBytes(StandardCharsets.US_ASCII);
    private static final int FORMAT = 1;
    private static final int MAX_HEADER = 64 << 20;

    private ModelFile() {
    }

    static void write(OutputStream out, ObjectNode header, byte[] onnx) throws IOException {
        DataOutputStream data = new DataOutputStream(out);
        data.write(MAGIC);
        data.writeInt(FORMAT);
        byte[] json = JSON.writeValueAsBytes(header);
        data.writeInt(json.length);
        data.write(json);
        data.writeLong(onnx.length);
        data.write(onnx);
        data.flush();
    }

    static Saved read(InputStream in) throws EngineException {
        try {
            DataInputStream data = new DataInputStream(in);
            byte[] magic = data.readNBytes(MAGIC.length);
            if (!Arrays.equals(magic, MAGIC)) {
                throw new EngineException("not a model of Cogwork's ONNX engine (no COGWORK-ONNX header)");
            }
            int format = data.readInt();
            if (format != FORMAT) {
                throw new EngineException("ONNX model format " + format + " is newer than this engine reads (" + FORMAT + ")");
            }
            int length = data.readInt();
            if (length < 2 || length > MAX_HEADER) {
                throw new EngineException("corrupt ONNX model: header length " + length);
            }
            byte[] json = data.readNBytes(length);
            if (json.length != length) {
                throw new EngineException("corrupt ONNX model: truncated header");
            }
            ObjectNode header = (ObjectNode) JSON.readTree(json);
            long size = data.readLong();
            if (size < 1 || size > OnnxEngine.MAX_MODEL_BYTES) {
                throw new EngineException("corrupt ONNX model: model length " + size);
            }
            byte[] onnx = data.readNBytes((int) size);
            if (onnx.length != size) {
                throw new EngineException("corrupt ONNX model: truncated model bytes");
            }
            return new Saved(header, onnx);
        } catch (IOException | ClassCastException e) {
            throw new EngineException("corrupt ONNX model: " + e.getMessage(), e);
        }
    }

    record Saved(ObjectNode header, byte[] onnx) {
    }
}
