package org.cogwork.itests;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/** Makes bundle jars for tests: a copy with changed manifest headers, or a bundle from headers alone. */
final class Jars {
    private Jars() {
    }

    /** Copies {@code source} to {@code target} with the given manifest headers replaced or added. */
    static Path withHeaders(Path source, Path target, Map<String, String> headers) throws IOException {
        try (JarFile in = new JarFile(source.toFile())) {
            Manifest mf = new Manifest(in.getManifest());
            headers.forEach((k, v) -> mf.getMainAttributes().put(new Attributes.Name(k), v));
            try (OutputStream os = Files.newOutputStream(target); JarOutputStream out = new JarOutputStream(os, mf)) {
                Enumeration<JarEntry> entries = in.entries();
                while (entries.hasMoreElements()) {
                    JarEntry e = entries.nextElement();
                    if (e.getName().equals(JarFile.MANIFEST_NAME)) {
                        continue;
                    }
                    out.putNextEntry(new JarEntry(e.getName()));
                    try (InputStream is = in.getInputStream(e)) {
                        is.transferTo(out);
                    }
                    out.closeEntry();
                }
            }
        }
        return target;
    }

    /** A jar holding only a manifest with these headers. */
    static byte[] manifestOnly(Map<String, String> headers) throws IOException {
        Manifest mf = new Manifest();
        mf.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        headers.forEach((k, v) -> mf.getMainAttributes().put(new Attributes.Name(k), v));
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (JarOutputStream out = new JarOutputStream(bytes, mf)) {
            out.putNextEntry(new JarEntry("README.txt"));
            out.write("test bundle".getBytes());
            out.closeEntry();
        }
        return bytes.toByteArray();
    }
}
