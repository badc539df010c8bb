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

    /**
     * Where values end in UBJSON bytes, without reading them into objects: what joining models needs
     * ({@link ForestParts#join}), which copies most bytes as they are.
     */
    static final class Span {
        private Span() {
        }

        /** The start of the value of {@code key} in the object whose '{' is at {@code object}. */
        static int find(ByteBuffer in, int object, String key) {
            if (in.get(object) != '{') {
                throw new IllegalArgumentException("UBJSON: no object at byte " + object);
            }
            int pos = object + 1;
            while (in.get(pos) != '}') {
                int keyEnd = key(in, pos);
                int text = keyText(in, pos);
                if (new String(in.array(), text, keyEnd - text, StandardCharsets.UTF_8).equals(key)) {
                    return keyEnd;
                }
                pos = value(in, keyEnd);
            }
            throw new IllegalArgumentException("UBJSON: no key '" + key + "' in the object at byte " + object);
        }

        /** The end of the object key starting at {@code pos} (its length, then its bytes). */
        static int key(ByteBuffer in, int pos) {
            int text = keyText(in, pos);
            return text + (int) integer(in, pos);
        }

        /** Where the bytes of the key (or string length) at {@code pos} start. */
        static int keyText(ByteBuffer in, int pos) {
            return pos + 1 + width(in.get(pos));
        }

        /** The end of the value whose marker is at {@code pos}. */
        static int value(ByteBuffer in, int pos) {
            byte marker = in.get(pos);
            switch (marker) {
                case 'Z', 'T', 'F', 'N':
                    return pos + 1;
                case 'i', 'U', 'I', 'l', 'L', 'd', 'D', 'C':
                    return pos + 1 + width(marker);
                case 'S':
                    return key(in, pos + 1);
                case '{': {
                    int p = pos + 1;
                    while (in.get(p) != '}') {
                        p = value(in, key(in, p));
                    }
                    return p + 1;
                }
                case '[': {
                    int p = pos + 1;
                    byte type = 0;
                    if (in.get(p) == '$') {
                        type = in.get(p + 1);
                        p += 2;
                    }
                    if (in.get(p) == '#') {
                        long n = integer(in, p + 1);
                        p += 2 + width(in.get(p + 1));
                        if (type != 0) {
                            return p + (int) (n * width(type));
                        }
                        for (long i = 0; i < n; i++) {
                            p = value(in, p);
                        }
                        return p;
                    }
                    while (in.get(p) != ']') {
                        p = value(in, p);
                    }
                    return p + 1;
                }
                default:
                    throw new IllegalArgumentException("UBJSON: unknown marker 0x" + Integer.toHexString(marker & 0xFF) + " at byte " + pos);
            }
        }

        /** The integer whose marker is at {@code pos}. */
        static long integer(ByteBuffer in, int pos) {
            return switch (in.get(pos)) {
                case 'i' -> in.get(pos + 1);
                case 'U' -> in.get(pos + 1) & 0xFF;
                case 'I' -> in.getShort(pos + 1);
                case 'l' -> in.getInt(pos + 1);
                case 'L' -> in.getLong(pos + 1);
                default -> throw new IllegalArgumentException("UBJSON: no integer at byte " + pos);
            };
        }

        /** The bytes of a value of a fixed-width marker. */
        static int width(byte marker) {
            return switch (marker) {
                case 'i', 'U', 'C' -> 1;
                case 'I' -> 2;
                case 'l', 'd' -> 4;
                case 'L', 'D' -> 8;
                default -> throw new IllegalArgumentException("UBJSON: marker 0x" + Integer.toHexString(marker & 0xFF) + " has no width");
            };
        }
    }
}
