package org.cogwork.engine.xgboost;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class UbjsonTest {
    /** Bytes written the way UBJSON draft 12 lays them out (big-endian), as XGBoost does. */
    private static final class Out {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final DataOutputStream out = new DataOutputStream(bytes);

        Out marker(char c) throws IOException {
            out.writeByte(c);
            return this;
        }

        Out key(String k) throws IOException {
            byte[] b = k.getBytes(StandardCharsets.UTF_8);
            out.writeByte('L');
            out.writeLong(b.length);
            out.write(b);
            return this;
        }

        Out string(String s) throws IOException {
            out.writeByte('S');
            return key(s);
        }

        byte[] done() {
            return bytes.toByteArray();
        }
    }

    @Test
    void readsObjectsStringsNumbersAndTypedArraysAsJavaArrays() throws IOException {
        Out o = new Out().marker('{');
        o.key("name").string("gbtree");
        o.key("empty").marker('{').marker('}');
        o.key("floats").marker('[').marker('$').marker('d').marker('#').marker('U');
        o.out.writeByte(3);
        o.out.writeFloat(1.5f);
        o.out.writeFloat(-2.25f);
        o.out.writeFloat(Float.NaN);
        o.key("ints").marker('[').marker('$').marker('l').marker('#').marker('i');
        o.out.writeByte(2);
        o.out.writeInt(-1);
        o.out.writeInt(70_000);
        o.key("bytes").marker('[').marker('$').marker('U').marker('#').marker('i');
        o.out.writeByte(2);
        o.out.writeByte(0);
        o.out.writeByte(200);
        o.key("counted").marker('[').marker('#').marker('i');
        o.out.writeByte(2);
        o.marker('T').marker('Z');
        o.key("open").marker('[').marker('I');
        o.out.writeShort(-300);
        o.marker('D');
        o.out.writeDouble(0.1);
        o.marker(']');
        o.marker('}');

        Map<?, ?> m = (Map<?, ?>) Ubjson.read(o.done());
        assertEquals(List.of("name", "empty", "floats", "ints", "bytes", "counted", "open"), List.copyOf(m.keySet()));
        assertEquals("gbtree", m.get("name"));
        assertEquals(Map.of(), m.get("empty"));
        assertArrayEquals(new float[] {1.5f, -2.25f, Float.NaN}, (float[]) m.get("floats"));
        assertArrayEquals(new int[] {-1, 70_000}, (int[]) m.get("ints"));
        assertArrayEquals(new int[] {0, 200}, (int[]) m.get("bytes"), "U is unsigned");
        assertEquals(java.util.Arrays.asList(true, null), m.get("counted"));
        assertEquals(List.of(-300L, 0.1), m.get("open"));
    }

    @Test
    void refusesWhatItCannotReadInsteadOfGuessing() throws IOException {
        byte[] whole = new Out().marker('[').marker('$').marker('d').marker('#').marker('i').done();
        byte[] truncated = java.util.Arrays.copyOf(whole, whole.length + 1);
        truncated[whole.length] = 100; // a count of 100 floats, and no float follows
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Ubjson.read(truncated));
        assertTrue(e.getMessage().contains("runs past the end"), e.getMessage());

        assertTrue(assertThrows(IllegalArgumentException.class, () -> Ubjson.read(new byte[] {'X'})).getMessage()
                .contains("unknown marker 0x58"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Ubjson.read(new byte[] {'{', 'L', 0}))
                .getMessage().contains("ends inside a value"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Ubjson.read(new byte[] {'T', 'T'}))
                .getMessage().contains("after the value"));
    }
}
