package org.cogwork.api.connector;

import java.util.Objects;

/**
 * What a {@link DataSink} wrote.
 *
 * @param dataset the dataset's name, as {@link DataSource#read} takes it
 * @param rows rows written
 * @param bytes bytes stored (after compression, when the name asks for it)
 * @param sha256 SHA-256 of the stored bytes, lower-case hex: the same as a checksum of the file or object
 * @param version the store's token for this version of the dataset, or {@code null} when it has none: an S3
 *     object's ETag, a file's size and modification time
 * @since 0.2
 */
public record WriteReport(String dataset, long rows, long bytes, String sha256, String version) {
    public WriteReport {
        Objects.requireNonNull(dataset, "dataset");
        Objects.requireNonNull(sha256, "sha256");
    }
}
