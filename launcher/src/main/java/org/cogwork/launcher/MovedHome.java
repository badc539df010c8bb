package org.cogwork.launcher;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;

/**
 * Repairs a home that was moved or copied to another folder. The framework cache names bundles by location, and the
 * locations of {@code system/} (installed by reference) and {@code deploy/} bundles are absolute file URLs of the
 * folder the home was in; Config Admin's store keeps FileInstall's file names and the deploy folder likewise. Left
 * alone, a copy reinstalls the same bundles from its own folders and Felix refuses them ("Bundle symbolic name and
 * version are not unique"), or watches the old folder's {@code deploy/}.
 *
 * <p>Found before anything starts: a bundle whose location is a file in a {@code system/}, {@code system/shell/} or
 * {@code deploy/} folder of another home. Those bundles leave the cache (start-up installs {@code system/} again, the
 * deploy watcher {@code deploy/}), and the configurations FileInstall
 * made from the old {@code config/} files are deleted (it makes them again from this home's files). Uploaded
 * bundles (their location names no folder), sources and settings made over the API, and {@code data/} are kept.
 */
final class MovedHome {
    private static final Pattern FILENAME = Pattern.compile("^felix\\.fileinstall\\.filename=\"(.*)\"\\s*$", Pattern.MULTILINE);

    private final Home home;
    private Path previous;
    private int bundles;
    private int configs;

    private MovedHome(Home home) {
        this.home = home;
    }

    /**
     * Before the framework is created: removes from the framework cache ({@code data/felix-cache/bundle<N>}, whose
     * {@code bundle.info} holds the id, then the location) the bundles of another home, and from Config Admin's store the
     * configurations made from another home's {@code config/} files. Felix would otherwise try to load the old
     * folder's jars (an error with a stack trace for each when the old folder is gone).
     */
    static MovedHome beforeInit(Home home) throws IOException {
        MovedHome m = new MovedHome(home);
        Path cache = home.data().resolve("felix-cache");
        if (Files.isDirectory(cache)) {
            List<Path> stale = new ArrayList<>();
            try (Stream<Path> s = Files.list(cache)) {
                for (Path dir : (Iterable<Path>) s.filter(d -> d.getFileName().toString().matches("bundle[1-9][0-9]*"))::iterator) {
                    Path info = dir.resolve("bundle.info");
                    if (Files.isRegularFile(info)) {
                        List<String> lines = Files.readAllLines(info, StandardCharsets.UTF_8);
                        // Felix 7: the bundle id, then the location
                        if (lines.size() > 1 && m.foreign(lines.get(1).trim())) {
                            stale.add(dir);
                        }
                    }
                }
            }
            for (Path dir : stale) {
                deleteTree(dir);
            }
            m.bundles += stale.size();
        }
        List<Path> sources = new ArrayList<>();
        m.configs = deleteFileConfigurations(home.data().resolve("config"), home.config(), sources);
        if (m.previous == null && !sources.isEmpty()) {
            m.previous = sources.get(0).getParent().getParent();
        }
        return m;
    }

    /** After the framework is initialised, before it starts: uninstalls any bundle of another home still there. */
    MovedHome afterInit(BundleContext ctx) throws BundleException {
        for (Bundle b : ctx.getBundles()) {
            if (foreign(b.getLocation())) {
                b.uninstall();
                bundles++;
            }
        }
        return this;
    }

    /** What was done, for the console; {@code null} when nothing pointed into another folder. */
    String message() {
        if (bundles == 0 && configs == 0) {
            return null;
        }
        return "cogwork: this home was moved or copied from " + previous + " to " + normal(home.root()) + ": "
                + (bundles == 0 ? "" : "the framework cache named " + bundles + " bundle(s) in the old folder,"
                        + " installed again from this home's system/ and deploy/" + (configs > 0 ? "; " : ""))
                + (configs == 0 ? "" : configs + " configuration(s) made from the old folder's config/ files are read"
                        + " again from this home's config/")
                + ". Uploaded bundles, sources and data are kept.";
    }

    private boolean foreign(String location) {
        Path other = homeOf(location);
        if (other == null || sameFolder(other, normal(home.root()))) {
            return false;
        }
        previous = previous == null ? other : previous;
        return true;
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) s.sorted(java.util.Comparator.reverseOrder())::iterator) {
                Files.delete(p);
            }
        }
    }

    /**
     * The home a bundle location points into: {@code reference:file:/h/system/x.jar}, {@code file:/h/deploy/x.jar}
     * or {@code .../h/system/shell/x.jar} give {@code /h}; {@code null} for any other location.
     */
    static Path homeOf(String location) {
        String l = location.startsWith("reference:") ? location.substring("reference:".length()) : location;
        if (!l.startsWith("file:")) {
            return null;
        }
        Path file;
        try {
            file = Path.of(URI.create(l));
        } catch (IllegalArgumentException | java.nio.file.FileSystemNotFoundException e) {
            return null;
        }
        Path dir = file.getParent();
        if (dir == null || dir.getFileName() == null || dir.getParent() == null) {
            return null;
        }
        String name = dir.getFileName().toString();
        if (name.equals("shell") && dir.getParent().getFileName() != null
                && dir.getParent().getFileName().toString().equals("system")) {
            return normal(dir.getParent().getParent());
        }
        return name.equals("system") || name.equals("deploy") ? normal(dir.getParent()) : null;
    }

    /**
     * Deletes Config Admin's stored configurations ({@code felix.cm.dir}, Felix's {@code *.config} files) that
     * FileInstall made from a file outside {@code configDir}, i.e. in another home's {@code config/}; adds those
     * files to {@code sources}.
     */
    static int deleteFileConfigurations(Path store, Path configDir, List<Path> sources) throws IOException {
        if (!Files.isDirectory(store)) {
            return 0;
        }
        List<Path> stale = new ArrayList<>();
        try (Stream<Path> s = Files.walk(store)) {
            for (Path p : (Iterable<Path>) s.filter(f -> f.toString().endsWith(".config"))::iterator) {
                Matcher m = FILENAME.matcher(Files.readString(p, StandardCharsets.UTF_8));
                if (m.find()) {
                    Path from = homeFile(m.group(1));
                    if (from != null && !from.startsWith(normal(configDir)) && !sameFolder(from.getParent(), normal(configDir))) {
                        stale.add(p);
                        sources.add(from);
                    }
                }
            }
        }
        for (Path p : stale) {
            Files.delete(p);
        }
        return stale.size();
    }

    private static Path homeFile(String url) {
        try {
            return normal(Path.of(URI.create(url.replace("\\", ""))));
        } catch (IllegalArgumentException | java.nio.file.FileSystemNotFoundException e) {
            return null;
        }
    }

    private static boolean sameFolder(Path a, Path b) {
        if (a.equals(b)) {
            return true;
        }
        try {
            return Files.exists(a) && Files.isSameFile(a, b); // one folder by two names (a symbolic link)
        } catch (IOException e) {
            return false;
        }
    }

    private static Path normal(Path p) {
        return p.toAbsolutePath().normalize();
    }
}
