package org.cogwork.connector.s3;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import software.amazon.awssdk.core.sync.RequestBody;

/**
 * A body for an upload that the SDK can send more than once. The SDK retries a failed upload by sending the body
 * again, and a stream can be read only once (the SDK marks just its first 128 KB): a model file whose connection
 * broke failed its retry with "Content input stream does not support mark/reset" (seen in CI). So the bytes are
 * taken off the stream first: into memory up to {@link #IN_MEMORY}, into a temporary file beyond, deleted on close.
 */
final class Upload implements AutoCloseable {
    /** Up to this size a body is held in memory while it uploads. */
    static final int IN_MEMORY = 16 << 20;

    final RequestBody body;
    private final Path spool;

    private Upload(RequestBody body, Path spool) {
        this.body = body;
        this.spool = spool;
    }

    /** Exactly {@code length} bytes of {@code content} (which the caller closes). @throws IOException when fewer come */
    static Upload of(InputStream content, long length) throws IOException {
        if (length <= IN_MEMORY) {
            byte[] bytes = content.readNBytes((int) length);
            check(bytes.length, length);
            return new Upload(RequestBody.fromBytes(bytes), null);
        }
        Path spool = Files.createTempFile("cogwork-s3-put-", ".tmp");
        try {
            long copied = 0;
            try (OutputStream out = Files.newOutputStream(spool)) {
                byte[] buf = new byte[65_536];
                for (int n; copied < length && (n = content.read(buf, 0, (int) Math.min(buf.length, length - copied))) > 0; copied += n) {
                    out.write(buf, 0, n);
                }
            }
            check(copied, length);
            return new Upload(RequestBody.fromFile(spool), spool);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(spool);
            throw e;
        }
    }

    private static void check(long given, long announced) throws IOException {
        if (given != announced) {
            throw new IOException(announced + " bytes announced, " + given + " given");
        }
    }

    @Override
    public void close() throws IOException {
        if (spool != null) {
            Files.deleteIfExists(spool);
        }
    }
}
