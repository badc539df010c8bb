package org.cogwork.connector.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.cogwork.api.data.DataType;
import org.cogwork.api.data.Field;
import org.cogwork.api.data.Schema;

/**
 * The schema a {@link org.cogwork.api.connector.DataSink} wrote a dataset with, kept next to it so that the dataset
 * reads back with that schema rather than one inferred from its text (which would read a CATEGORICAL label of "0"
 * and "1" back as INT). A hidden sidecar named after the data file and a token that names one version of it:
 * {@code .<file>.<token>.schema.json} in the same folder. The token is the file's size and modification time (file
 * connector) or a random id the object carries in its metadata (S3), so the record is written before the data is
 * published and a reader never pairs a version of the data with another version's schema. A reader that finds no
 * record for the version it reads (data written by other means, or edited since) infers the schema as before.
 *
 * <pre>{"cogwork.schema": 1, "fields": [{"name": "Status", "type": "CATEGORICAL", "nullable": true}, ...]}</pre>
 */
public final class SchemaRecord {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String SUFFIX = ".schema.json";
    /** Tokens are made of these only: a size and a time, or a UUID. Anything else is not a token of ours. */
    private static final Pattern TOKEN = Pattern.compile("[0-9a-f-]{1,64}");

    private SchemaRecord() {
    }

    /** Whether {@code token} (e.g. read from object metadata, which anyone who may write the bucket sets) is valid. */
    public static boolean isToken(String token) {
        return token != null && TOKEN.matcher(token).matches();
    }

    /** The sidecar's file name for the data file named {@code fileName} (last segment only) in version {@code token}. */
    public static String sidecar(String fileName, String token) {
        if (!isToken(token)) {
            throw new IllegalArgumentException("not a schema record token: " + token);
        }
        return "." + fileName + "." + token + SUFFIX;
    }

    /** Whether {@code name} (last segment only) is a sidecar of the data file {@code fileName}, of any version. */
    public static boolean isSidecarOf(String name, String fileName) {
        String start = "." + fileName + ".";
        return name.startsWith(start) && name.endsWith(SUFFIX) && name.length() > start.length() + SUFFIX.length()
                && isToken(name.substring(start.length(), name.length() - SUFFIX.length()));
    }

    public static byte[] encode(Schema schema) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("cogwork.schema", 1);
        ArrayNode fields = root.putArray("fields");
        for (Field f : schema.fields()) {
            fields.addObject().put("name", f.name()).put("type", f.type().name()).put("nullable", f.nullable());
        }
        try {
            return MAPPER.writeValueAsBytes(root);
        } catch (IOException e) {
            throw new IllegalStateException("a tree of strings always serialises", e);
        }
    }

    /** @throws IOException saying what is wrong when {@code bytes} are not a schema record */
    public static Schema decode(byte[] bytes) throws IOException {
        JsonNode root = MAPPER.readTree(bytes);
        if (root == null || root.path("cogwork.schema").asInt() != 1 || !root.path("fields").isArray()) {
            throw new IOException("not a schema record (version 1)");
        }
        List<Field> fields = new ArrayList<>();
        for (JsonNode f : root.get("fields")) {
            if (!f.path("name").isTextual() || !f.path("type").isTextual() || !f.path("nullable").isBoolean()) {
                throw new IOException("schema record field without name, type or nullable: " + f);
            }
            try {
                fields.add(new Field(f.get("name").asText(), DataType.valueOf(f.get("type").asText()),
                        f.get("nullable").asBoolean()));
            } catch (IllegalArgumentException e) {
                throw new IOException("bad schema record field " + f + ": " + e.getMessage(), e);
            }
        }
        try {
            return new Schema(fields);
        } catch (IllegalArgumentException e) {
            throw new IOException("bad schema record: " + e.getMessage(), e);
        }
    }
}
