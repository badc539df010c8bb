package org.cogwork.engine.xgboost;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads Universal Binary JSON (ubjson.org, draft 12) as XGBoost writes its models ({@code Booster.toByteArray("ubj")}):
 * objects as maps, arrays as lists, and an array of one number type (XGBoost's per-node arrays: {@code [$d#L<n>} and
 * the like) as one Java array of that width ({@code int[]} for the integer types up to 32 bits, {@code long[]},
 * {@code float[]}, {@code double[]}), read straight from the bytes. Numbers in the text format are the cost of reading
 * a model: JSON of a 200-tree forest took 70-75 ms to write and as long to parse, for a few milliseconds of arrays.
 * No library on Maven Central reads UBJSON for Jackson, hence this reader; it is strict: any marker it does not know,
 * or a length past the end, is an {@link IllegalArgumentException}.
 */
final class Ubjson {
    private final ByteBuffer in; // big-endian, as UBJSON is

    private Ubjson(byte[] bytes) {
        this.in = ByteBuffer.wrap(bytes);
    }

    /** The value {@code bytes} hold (a map for an object). */
    static Object read(byte[] bytes) {
        try {
            Ubjson r = new Ubjson(bytes);
            Object v = r.value(r.in.get());
            if (r.in.hasRemaining()) {
                throw new IllegalArgumentException("UBJSON: " + r.in.remaining() + " bytes after the value");
            }
            return v;
        } catch (java.nio.BufferUnderflowException e) {
            throw new IllegalArgumentException("UBJSON: the data ends inside a value", e);
        }
    }

    private Object value(byte marker) {
        return switch (marker) {
            case '{' -> object();
            case '[' -> array();
            case 'S' -> string();
            case 'Z' -> null;
            case 'T' -> Boolean.TRUE;
            case 'F' -> Boolean.FALSE;
            case 'i', 'U', 'I', 'l', 'L' -> integer(marker);
            case 'd' -> (double) in.getFloat();
            case 'D' -> in.getDouble();
            case 'C' -> String.valueOf((char) (in.get() & 0xFF));
            default -> throw new IllegalArgumentException("UBJSON: unknown marker 0x" + Integer.toHexString(marker & 0xFF)
                    + " at byte " + (in.position() - 1));
        };
    }

    private long integer(byte marker) {
        return switch (marker) {
            case 'i' -> in.get();
            case 'U' -> in.get() & 0xFF;
            case 'I' -> in.getShort();
            case 'l' -> in.getInt();
            case 'L' -> in.getLong();
            default -> throw new IllegalArgumentException("UBJSON: a length must be an integer, found marker 0x"
                    + Integer.toHexString(marker & 0xFF) + " at byte " + (in.position() - 1));
        };
    }

    /** A count or a length: an integer marker and its value, at most what fits in the bytes left. */
    private int count(int width) {
        long n = integer(in.get());
        if (n < 0 || n * Math.max(1, width) > in.remaining()) {
            throw new IllegalArgumentException("UBJSON: a length of " + n + " at byte " + in.position() + " runs past the end");
        }
        return (int) n;
    }

    private String string() {
        int n = count(1);
        String s = new String(in.array(), in.position(), n, StandardCharsets.UTF_8);
        in.position(in.position() + n);
        return s;
    }

    private Map<String, Object> object() {
        Map<String, Object> out = new LinkedHashMap<>();
        if (in.get(in.position()) == '$' || in.get(in.position()) == '#') {
            throw new IllegalArgumentException("UBJSON: typed or counted objects are not read (byte " + in.position() + ")");
        }
        for (byte b = in.get(); b != '}'; b = in.get()) {
            in.position(in.position() - 1);
            String key = string();
            out.put(key, value(in.get()));
        }
        return out;
    }

    private Object array() {
        byte type = 0;
        if (in.get(in.position()) == '$') {
            in.get();
            type = in.get();
        }
        if (in.get(in.position()) == '#') {
            in.get();
            if (type != 0) {
                return typed(type);
            }
            int n = count(1);
            List<Object> out = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                out.add(value(in.get()));
            }
            return out;
        }
        if (type != 0) {
            throw new IllegalArgumentException("UBJSON: a typed array without a count at byte " + in.position());
        }
        List<Object> out = new ArrayList<>();
        for (byte b = in.get(); b != ']'; b = in.get()) {
            out.add(value(b));
        }
        return out;
    }

    /** An array of one number type, as one Java array. */
    private Object typed(byte type) {
        return switch (type) {
            case 'i', 'U', 'I' -> { // narrow: read one by one as single values are
                int[] a = new int[count(type == 'I' ? 2 : 1)];
                for (int i = 0; i < a.length; i++) {
                    a[i] = (int) integer(type);
                }
                yield a;
            }
            case 'l' -> {
                int[] a = new int[count(4)];
                in.asIntBuffer().get(a);
                in.position(in.position() + 4 * a.length);
                yield a;
            }
            case 'L' -> {
                long[] a = new long[count(8)];
                in.asLongBuffer().get(a);
                in.position(in.position() + 8 * a.length);
                yield a;
            }
            case 'd' -> {
                float[] a = new float[count(4)];
                in.asFloatBuffer().get(a);
                in.position(in.position() + 4 * a.length);
                yield a;
            }
            case 'D' -> {
                double[] a = new double[count(8)];
                in.asDoubleBuffer().get(a);
                in.position(in.position() + 8 * a.length);
                yield a;
            }
            default -> throw new IllegalArgumentException("UBJSON: arrays of type '" + (char) type + "' are not read");
        };
    }
}
