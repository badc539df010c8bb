package org.cogwork.connector.support;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PushbackInputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.zip.GZIPInputStream;

/** Picks the format of a file or object by its name, and opens its bytes as UTF-8 text. */
public final class Formats {
    private Formats() {
    }

    /** The format for a name ending in .csv, .jsonl or .ndjson (each optionally .gz), or {@code null}. */
    public static TextFormat forName(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        if (n.endsWith(".gz")) {
            n = n.substring(0, n.length() - 3);
        }
        if (n.endsWith(".csv")) {
            return CsvFormat.INSTANCE;
        }
        if (n.endsWith(".jsonl") || n.endsWith(".ndjson")) {
            return JsonLinesFormat.INSTANCE;
        }
        return null;
    }

    /**
     * UTF-8 text of {@code raw}, gunzipped when the name ends in .gz, without a leading byte-order mark.
     * The reader owns {@code raw}.
     */
    public static Reader reader(InputStream raw, String name) throws IOException {
        InputStream in = new BufferedInputStream(raw, 64 * 1024);
        if (name.toLowerCase(Locale.ROOT).endsWith(".gz")) {
            in = new BufferedInputStream(new GZIPInputStream(in, 64 * 1024), 64 * 1024);
        }
        PushbackInputStream p = new PushbackInputStream(in, 3);
        byte[] bom = new byte[3];
        int n = p.readNBytes(bom, 0, 3);
        boolean isBom = n == 3 && (bom[0] & 0xFF) == 0xEF && (bom[1] & 0xFF) == 0xBB && (bom[2] & 0xFF) == 0xBF;
        if (!isBom && n > 0) {
            p.unread(bom, 0, n);
        }
        return new InputStreamReader(p, StandardCharsets.UTF_8);
    }
}
