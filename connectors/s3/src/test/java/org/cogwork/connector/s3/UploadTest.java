package org.cogwork.connector.s3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** An upload's body can be read as often as the SDK retries, from memory or from its temporary file. */
class UploadTest {
    @Test
    void aSmallBodyIsReadAgainFromMemory() throws IOException {
        byte[] bytes = random(300_000);
        try (Upload upload = Upload.of(onlyOnce(bytes), bytes.length)) {
            assertArrayEquals(bytes, read(upload));
            assertArrayEquals(bytes, read(upload), "the retry reads the same bytes");
        }
    }

    @Test
    void aLargeBodyIsReadAgainFromItsFileWhichGoesOnClose() throws IOException {
        byte[] bytes = random(Upload.IN_MEMORY + 1_000);
        long before = spools();
        Upload upload = Upload.of(onlyOnce(bytes), bytes.length);
        try {
            assertEquals(before + 1, spools(), "spooled to a file");
            assertArrayEquals(bytes, read(upload));
            assertArrayEquals(bytes, read(upload), "the retry reads the same bytes");
        } finally {
            upload.close();
        }
        assertEquals(before, spools(), "the file is deleted");
    }

    @Test
    void aShortStreamIsRefusedAndLeavesNoFile() throws IOException {
        long before = spools();
        assertTrue(assertThrows(IOException.class, () -> Upload.of(onlyOnce(random(10)), 1_000)).getMessage().contains("1000 bytes announced, 10 given"));
        IOException large = assertThrows(IOException.class, () -> Upload.of(onlyOnce(random(1_000)), Upload.IN_MEMORY + 1L));
        assertTrue(large.getMessage().contains("given"), large.getMessage());
        assertEquals(before, spools());
    }

    private static byte[] read(Upload upload) throws IOException {
        try (InputStream in = upload.body.contentStreamProvider().newStream()) {
            return in.readAllBytes();
        }
    }

    /** A stream as a file gives it: readable once, no mark/reset. */
    private static InputStream onlyOnce(byte[] bytes) {
        return new FilterInputStream(new ByteArrayInputStream(bytes)) {
            @Override
            public boolean markSupported() {
                return false;
            }
        };
    }

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        new Random(n).nextBytes(b);
        return b;
    }

    private static long spools() throws IOException {
        try (Stream<Path> files = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return files.filter(p -> p.getFileName().toString().startsWith("cogwork-s3-put-")).count();
        }
    }
}
