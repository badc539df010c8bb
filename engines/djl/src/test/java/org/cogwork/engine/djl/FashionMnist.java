package org.cogwork.engine.djl;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.cogwork.api.data.DataType;
import org.cogwork.api.data.Dataset;
import org.cogwork.api.data.Field;
import org.cogwork.api.data.Row;
import org.cogwork.api.data.Schema;
import org.cogwork.api.data.Vector;

/**
 * Fashion-MNIST from its original gzipped IDX files (../shared/data/fashion-mnist): rows of an {@code image}
 * VECTOR (784 grey values 0-255, row-major) and a {@code label} (the class name).
 */
final class FashionMnist {
    static final Path DIR = Path.of("../../../shared/data/fashion-mnist");
    static final List<String> CLASSES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
            "Sneaker", "Bag", "Ankle boot");
    static final Schema SCHEMA = Schema.of(Field.of("image", DataType.VECTOR), Field.of("label", DataType.CATEGORICAL));

    private FashionMnist() {
    }

    /** @param prefix {@code train} or {@code t10k} */
    static Dataset read(String prefix, int limit) throws IOException {
        try (DataInputStream images = open(prefix + "-images-idx3-ubyte.gz", 0x803);
             DataInputStream labels = open(prefix + "-labels-idx1-ubyte.gz", 0x801)) {
            int n = images.readInt();
            int rows = images.readInt();
            int cols = images.readInt();
            if (labels.readInt() != n) {
                throw new IOException(prefix + ": image and label counts differ");
            }
            int count = Math.min(n, limit);
            List<Row> out = new ArrayList<>(count);
            byte[] pixels = new byte[rows * cols];
            for (int i = 0; i < count; i++) {
                images.readFully(pixels);
                double[] v = new double[pixels.length];
                for (int k = 0; k < v.length; k++) {
                    v[k] = pixels[k] & 0xff;
                }
                out.add(new Row(SCHEMA, Vector.dense(v), CLASSES.get(labels.readUnsignedByte())));
            }
            return Dataset.of(SCHEMA, out);
        }
    }

    private static DataInputStream open(String file, int magic) throws IOException {
        InputStream in = new GZIPInputStream(Files.newInputStream(DIR.resolve(file)), 1 << 16);
        DataInputStream data = new DataInputStream(in);
        int m = data.readInt();
        if (m != magic) {
            data.close();
            throw new IOException(file + ": magic " + Integer.toHexString(m) + ", expected " + Integer.toHexString(magic));
        }
        return data;
    }
}
