package org.cogwork.persistence.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.stream.Stream;
import org.osgi.framework.Bundle;

/** The migration scripts of one module: the resources {@code db/migration/*.sql} of a bundle (or a class path folder). */
public interface MigrationSource {
    String FOLDER = "db/migration";

    /** The file names of the scripts, in no particular order. */
    List<String> names();

    /** The text of one script. */
    String read(String name);

    /** The scripts in {@code bundle}'s own jar (not its imports or fragments' hosts). */
    static MigrationSource of(Bundle bundle) {
        return new MigrationSource() {
            @Override
            public List<String> names() {
                List<String> out = new ArrayList<>();
                Enumeration<URL> e = bundle.findEntries(FOLDER, "*.sql", false);
                while (e != null && e.hasMoreElements()) {
                    String path = e.nextElement().getPath();
                    out.add(path.substring(path.lastIndexOf('/') + 1));
                }
                return out;
            }

            @Override
            public String read(String name) {
                URL u = bundle.getEntry(FOLDER + "/" + name);
                if (u == null) {
                    throw new IllegalStateException("missing migration " + name + " in " + bundle.getSymbolicName());
                }
                try (InputStream in = u.openStream()) {
                    return new String(in.readAllBytes(), StandardCharsets.UTF_8);
                } catch (IOException ex) {
                    throw new UncheckedIOException(ex);
                }
            }
        };
    }

    /** The scripts in a folder (tests and tools outside OSGi: {@code target/classes/db/migration}). */
    static MigrationSource of(Path folder) {
        return new MigrationSource() {
            @Override
            public List<String> names() {
                if (!Files.isDirectory(folder)) {
                    return List.of();
                }
                try (Stream<Path> s = Files.list(folder)) {
                    return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".sql")).toList();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }

            @Override
            public String read(String name) {
                try {
                    return Files.readString(folder.resolve(name), StandardCharsets.UTF_8);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        };
    }

    /**
     * The scripts in {@code db/migration} of the jar or class folder {@code anchor} was loaded from (tests and
     * tools outside OSGi, where every module's scripts are on one class path).
     */
    static MigrationSource of(Class<?> anchor) {
        try {
            Path where = Path.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (Files.isDirectory(where)) {
                return of(where.resolve(FOLDER));
            }
            // a jar: read through a zip file system, kept open for the life of the source (a tool's run)
            java.nio.file.FileSystem jar = java.nio.file.FileSystems.newFileSystem(where);
            return of(jar.getPath("/" + FOLDER));
        } catch (URISyntaxException | IOException | RuntimeException e) {
            throw new IllegalStateException("cannot find the migrations next to " + anchor.getName(), e);
        }
    }
}
