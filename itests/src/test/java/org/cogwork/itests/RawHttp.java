package org.cogwork.itests;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * HTTP/1.1 over a plain socket, for requests the JDK client will not send (its {@code Host} header cannot be
 * set): what a browser sends after DNS rebinding, or a web page's form post.
 */
final class RawHttp {
    private RawHttp() {
    }

    /**
     * Sends one request and reads the answer.
     *
     * @param headers "Name: value" lines; a {@code Host} header here replaces the default one, and the first
     *     admin's credentials are sent unless an {@code Authorization} line is given ({@code "Authorization: "}
     *     with nothing after it sends none)
     */
    static Cogwork.Response send(int port, String method, String path, byte[] body, String... headers) throws IOException {
        StringBuilder head = new StringBuilder(method + " " + path + " HTTP/1.1\r\n");
        boolean host = false;
        boolean auth = false;
        for (String h : headers) {
            String lower = h.toLowerCase(Locale.ROOT);
            host |= lower.startsWith("host:");
            auth |= lower.startsWith("authorization:");
            if (!lower.strip().equals("authorization:")) {
                head.append(h).append("\r\n");
            }
        }
        if (!auth) {
            head.append("Authorization: ").append(Cogwork.ADMIN).append("\r\n");
        }
        if (!host) {
            head.append("Host: 127.0.0.1:").append(port).append("\r\n");
        }
        head.append("Content-Length: ").append(body.length).append("\r\nConnection: close\r\n\r\n");
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(30_000);
            OutputStream out = s.getOutputStream();
            out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.write(body);
            out.flush();
            byte[] all = s.getInputStream().readAllBytes();
            String text = new String(all, StandardCharsets.UTF_8);
            int end = text.indexOf("\r\n\r\n");
            String headLines = text.substring(0, end);
            int status = Integer.parseInt(headLines.split(" ", 3)[1]);
            String rest = text.substring(end + 4);
            if (headLines.toLowerCase(Locale.ROOT).contains("transfer-encoding: chunked")) {
                rest = unchunk(rest);
            }
            return new Cogwork.Response(status, rest);
        }
    }

    private static String unchunk(String s) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < s.length()) {
            int eol = s.indexOf("\r\n", i);
            int size = Integer.parseInt(s.substring(i, eol).split(";")[0].trim(), 16);
            if (size == 0) {
                break;
            }
            // sizes count bytes; the bodies here are ASCII JSON
            out.append(s, eol + 2, eol + 2 + size);
            i = eol + 2 + size + 2;
        }
        return out.toString();
    }
}
