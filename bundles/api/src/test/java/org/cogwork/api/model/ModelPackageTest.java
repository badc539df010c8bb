package org.cogwork.api.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;

/** Reading packages that are not what they claim: each is an {@link IOException} naming what is wrong, never an OOM. */
class ModelPackageTest {
    static final String MANIFEST = "{\"format\": 1, \"engine\": \"tribuo\", \"algorithm\": \"cart\", \"task\": \"CLASSIFICATION\"}";

    /** A zip with the given entries; an entry of {@code null} content is written as {@code size} zero bytes. */
    static byte[] zip(String[] names, byte[][] contents, long size) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            for (int i = 0; i < names.length; i++) {
                zip.putNextEntry(new ZipEntry(names[i]));
                if (contents[i] != null) {
                    zip.write(contents[i]);
                } else {
                    byte[] chunk = new byte[1 << 16];
                    for (long left = size; left > 0; left -= chunk.length) {
                        zip.write(chunk, 0, (int) Math.min(chunk.length, left));
                    }
                }
                zip.closeEntry();
            }
        }
        return out.toByteArray();
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aWellFormedPackageReadsBack() throws IOException {
        byte[] z = zip(new String[] {"manifest.json", "model.bin", "pipeline.json"},
                new byte[][] {utf8(MANIFEST), {1, 2, 3}, utf8("{}")}, 0);
        ModelPackage p = ModelPackage.read(new ByteArrayInputStream(z));
        assertEquals("tribuo", p.manifest().engine());
        assertEquals("cart", p.manifest().algorithm());
    }

    @Test
    void aManifestThatUnpacksPastItsLimitIsRefusedWithoutReadingIt() throws IOException {
        // 64 MB of zeros compress to ~64 KB: a small zip bomb against the 1 MB manifest limit
        byte[] bomb = zip(new String[] {"manifest.json"}, new byte[][] {null}, 64L << 20);
        assertTrue(bomb.length < 1 << 20, "compressed " + bomb.length);
        IOException e = assertThrows(IOException.class, () -> ModelPackage.read(new ByteArrayInputStream(bomb)));
        assertEquals("not a Cogwork model: manifest.json unpacks to more than 1048576 bytes", e.getMessage());
    }

    @Test
    void aPipelinePastItsLimitIsRefused() throws IOException {
        byte[] bomb = zip(new String[] {"manifest.json", "pipeline.json"}, new byte[][] {utf8(MANIFEST), null}, (256L << 20) + 1);
        IOException e = assertThrows(IOException.class, () -> ModelPackage.read(new ByteArrayInputStream(bomb)));
        assertEquals("not a Cogwork model: pipeline.json unpacks to more than 268435456 bytes", e.getMessage());
    }

    @Test
    void theModelMayUseHalfTheHeap() {
        assertEquals(Math.min(Runtime.getRuntime().maxMemory() / 2, Integer.MAX_VALUE - 16), ModelPackage.limit("model.bin"));
    }

    @Test
    void missingEntriesAndNonZipsAreNamed() throws IOException {
        byte[] noModel = zip(new String[] {"manifest.json", "pipeline.json"}, new byte[][] {utf8(MANIFEST), utf8("{}")}, 0);
        assertEquals("not a Cogwork model: model.bin is missing",
                assertThrows(IOException.class, () -> ModelPackage.read(new ByteArrayInputStream(noModel))).getMessage());
        assertEquals("not a Cogwork model: manifest.json is missing",
                assertThrows(IOException.class, () -> ModelPackage.read(new ByteArrayInputStream(utf8("plain text")))).getMessage());
    }
}
