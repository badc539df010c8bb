package org.cogwork.engine.djl;

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
 * The saved form of a DJL model: a magic string and format version, a JSON header (task, labels, input layout,
 * architecture, provenance), then the payload: the network's parameters in DJL's own format, or the bytes of a
 * TorchScript file.
 */
final class ModelFile {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final byte[] MAGIC = "COGWORK-DJL".getBytes(StandardCharsets.US_ASCII);
    private static final int FORMAT = 1;
    private static final int MAX_HEADER = 64 << 20;

    private ModelFile() {
    }

    /** Writes magic, version and header; the caller writes the payload to the returned stream. */
    static DataOutputStream begin(OutputStream out, ObjectNode header) throws IOException {
        DataOutputStream data = new DataOutputStream(out);
        data.write(MAGIC);
        data.writeInt(FORMAT);
        byte[] json = JSON.writeValueAsBytes(header);
        data.writeInt(json.length);
        data.write(json);
        return data;
    }

    /** Reads magic, version and header; the payload follows in the returned stream. */
    static Header read(InputStream in) throws EngineException {
        try {
            DataInputStream data = new DataInputStream(in);
            byte[] magic = data.readNBytes(MAGIC.length);
            if (!Arrays.equals(magic, MAGIC)) {
                throw new EngineException("not a model of Cogwork's DJL engine (no COGWORK-DJL header)");
            }
            int format = data.readInt();
            if (format != FORMAT) {
                throw new EngineException("DJL model format " + format + " is newer than this engine reads (" + FORMAT + ")");
            }
            int length = data.readInt();
            if (length < 2 || length > MAX_HEADER) {
                throw new EngineException("corrupt DJL model: header length " + length);
            }
            byte[] json = data.readNBytes(length);
            if (json.length != length) {
                throw new EngineException("corrupt DJL model: truncated header");
            }
            return new Header((ObjectNode) JSON.readTree(json), data);
        } catch (IOException | ClassCastException e) {
            throw new EngineException("corrupt DJL model: " + e.getMessage(), e);
        }
    }

    record Header(ObjectNode json, DataInputStream payload) {
    }
}
