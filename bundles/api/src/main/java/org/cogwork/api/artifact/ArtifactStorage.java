package org.cogwork.api.artifact;

import java.io.IOException;
import java.io.InputStream;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A place to keep artifact bytes under keys such as {@code 3/0123...ef/artifacts/model/model.zip} (relative,
 * '/'-separated, no {@code ..} segments). Implemented by storage plugins (e.g. the S3 connector), published as a
 * service with {@link #ARTIFACT_STORAGE} naming it; the registry picks the storage whose name equals its
 * {@code artifact.storage} configuration ({@code local} is the built-in folder {@code data/artifacts/}).
 *
 * <p>Checksums are the registry's business (it records a SHA-256 when writing and verifies it when reading); a
 * storage only stores bytes. Implementations are thread-safe. A {@code put} is complete and visible when it
 * returns; a failed {@code put} leaves no partial object under the key.
 *
 * <pre>{@code
 * try (InputStream in = Files.newInputStream(file)) {
 *     storage.put("1/" + runId + "/artifacts/model.zip", in, Files.size(file));
 * }
 * }</pre>
 *
 * @since 0.1
 */
@ConsumerType
public interface ArtifactStorage {
    /** Service property: the storage's name, matched against the registry's {@code artifact.storage}. */
    String ARTIFACT_STORAGE = "cogwork.artifacts.name";

    /**
     * Stores {@code length} bytes read from {@code content} under {@code key}, replacing any previous object.
     * The caller closes {@code content}.
     */
    void put(String key, InputStream content, long length) throws IOException;

    /** Opens the object; the caller closes the stream. @throws java.io.FileNotFoundException when absent */
    InputStream open(String key) throws IOException;

    boolean exists(String key) throws IOException;

    /** Deletes the object; nothing happens when it is absent. */
    void delete(String key) throws IOException;
}
