package org.cogwork.sdk.resolution;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.felix.framework.FrameworkFactory;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.Filter;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.namespace.PackageNamespace;
import org.osgi.framework.wiring.BundleCapability;
import org.osgi.framework.wiring.BundleRequirement;
import org.osgi.framework.wiring.BundleRevision;
import org.osgi.framework.wiring.FrameworkWiring;
import org.osgi.resource.Namespace;

/**
 * Installs a plugin bundle into a real Apache Felix together with the platform bundles of a Cogwork distribution's
 * {@code system/} folder, resolves it, and reports every requirement nothing satisfies, in the manifest's own terms:
 *
 * <pre>
 * org.example.smile 1.0.0 does not resolve in Cogwork 0.1.0-SNAPSHOT (31 platform bundles):
 *   Import-Package: smile.classification;version="[3.1,4)"
 *     no platform bundle exports smile.classification: embed the library privately (see cogwork-plugin-parent)
 *   Import-Package: org.slf4j;version="[1.7,2)"
 *     the platform exports org.slf4j 2.0.16 (the system bundle): widen the range, e.g. [1.7,3)
 * </pre>
 *
 * <p>A plugin's build runs it after {@code package} (the parent {@code cogwork-plugin-parent} runs test classes named
 * {@code *ResolutionTest} then, with the jar in the system property {@value #BUNDLE_PROPERTY}):
 *
 * <pre>{@code
 * class MyPluginResolutionTest {
 *     @Test
 *     void resolvesInCogwork() {
 *         ResolutionCheck.assertResolves();
 *     }
 * }
 * }</pre>
 *
 * <p>The platform bundles are, by default, the ones this jar carries (the distribution's {@code system/} without the
 * native hosts of DJL and XGBoost); with the system property {@value #HOME_PROPERTY} the check uses that distribution's
 * {@code system/} folder instead. Optional and dynamic imports are never reported. A bundle that exports an
 * {@code org.cogwork.api} package or a package a platform bundle exports fails too: Cogwork never resolves it.
 */
public final class ResolutionCheck {
    /** The system property naming the plugin jar to check. */
    public static final String BUNDLE_PROPERTY = "cogwork.bundle";
    /** The system property naming a Cogwork distribution whose {@code system/} folder to resolve against. */
    public static final String HOME_PROPERTY = "cogwork.home";
    /**
     * What the launcher's system bundle exports besides the JDK: the slf4j API on its class path. Must say what the
     * launcher's {@code Boot} says ({@code ResolutionCheckTest} compares them).
     */
    static final String SYSTEM_PACKAGES_EXTRA = "org.slf4j;version=2.0.16,org.slf4j.spi;version=2.0.16,org.slf4j.event;version=2.0.16,"
            + "org.slf4j.helpers;version=2.0.16,org.slf4j;version=1.7.36,org.slf4j.helpers;version=1.7.36";
    private static final String EMBEDDED = "org/cogwork/sdk/resolution/system/";

    private ResolutionCheck() {
    }

    /**
     * What the check found.
     *
     * @param bundle the checked bundle's symbolic name and version
     * @param platform the platform bundles it was resolved against (file names)
     * @param problems one entry per unresolved requirement or refused export, readable; empty when it resolves
     * @param detail the framework's own message when the bundle did not resolve, else {@code null}
     */
    public record Report(String bundle, List<String> platform, List<String> problems, String detail) {
        public boolean resolved() {
            return problems.isEmpty();
        }

        /** The report as the build shows it. */
        @Override
        public String toString() {
            if (resolved()) {
                return bundle + " resolves against " + platform.size() + " platform bundles";
            }
            StringBuilder b = new StringBuilder(bundle + " does not resolve in Cogwork (" + platform.size()
                    + " platform bundles):");
            problems.forEach(p -> b.append("\n  ").append(p.replace("\n", "\n  ")));
            if (detail != null) {
                b.append("\nFelix says: ").append(detail);
            }
            return b.toString();
        }
    }

    /** Checks the jar named by {@value #BUNDLE_PROPERTY} and fails with the report when it does not resolve. */
    public static void assertResolves() {
        String jar = System.getProperty(BUNDLE_PROPERTY);
        if (jar == null || jar.isBlank()) {
            throw new IllegalStateException("no bundle to check: set the system property " + BUNDLE_PROPERTY
                    + " to the plugin jar (cogwork-plugin-parent sets it for *ResolutionTest classes, run after package)");
        }
        assertResolves(Path.of(jar));
    }

    /** Checks {@code jar} and fails with the report when it does not resolve. */
    public static void assertResolves(Path jar) {
        Report r = check(jar);
        if (!r.resolved()) {
            throw new AssertionError(r.toString());
        }
    }

    /** Installs {@code jar} with the platform bundles into a fresh Felix, resolves, reports, and stops Felix. */
    public static Report check(Path jar) {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("no bundle at " + jar.toAbsolutePath() + ": the check runs on the packaged jar"
                    + " (mvn verify runs it after package), or set -D" + BUNDLE_PROPERTY + "=/path/to/plugin.jar");
        }
        try (JarFile j = new JarFile(jar.toFile())) {
            Manifest m = j.getManifest();
            if (m == null || m.getMainAttributes().getValue(Constants.BUNDLE_SYMBOLICNAME) == null) {
                throw new AssertionError(jar.getFileName() + " is not an OSGi bundle (no Bundle-SymbolicName in its manifest):"
                        + " build it with bnd-maven-plugin, as cogwork-plugin-parent does");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + jar, e);
        }
        Map<String, InputStreamSource> platform = platformBundles();
        Path storage;
        try {
            storage = Files.createTempDirectory("cogwork-resolution");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> props = new HashMap<>();
        props.put(Constants.FRAMEWORK_STORAGE, storage.toString());
        props.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        props.put(Constants.FRAMEWORK_SYSTEMPACKAGES_EXTRA, SYSTEM_PACKAGES_EXTRA);
        props.put("felix.log.level", "0");
        Framework felix = new FrameworkFactory().newFramework(props);
        try {
            felix.start(); // no bundle is started; an active framework makes start() below resolve and report
            List<Bundle> system = new ArrayList<>();
            for (Map.Entry<String, InputStreamSource> e : platform.entrySet()) {
                try (InputStream in = e.getValue().open()) {
                    system.add(felix.getBundleContext().installBundle("system:" + e.getKey(), in));
                }
            }
            Bundle plugin = felix.getBundleContext().installBundle(jar.toUri().toString());
            felix.adapt(FrameworkWiring.class).resolveBundles(null);
            String name = plugin.getSymbolicName() + " " + plugin.getVersion();
            List<String> problems = new ArrayList<>(platformExports(plugin, system));
            String detail = null;
            if (plugin.getState() == Bundle.INSTALLED) {
                problems.addAll(missing(plugin, system, felix));
                try {
                    plugin.start(); // does not resolve, so it never activates: only to get the framework's message
                } catch (BundleException e) {
                    detail = e.getMessage();
                }
                if (problems.isEmpty()) {
                    problems.add("every requirement has a candidate, yet the bundle does not resolve: a bundle it needs"
                            + " does not resolve itself, or uses-constraints conflict (see Felix's message below)");
                }
            }
            return new Report(name, List.copyOf(platform.keySet()), problems, detail);
        } catch (BundleException | IOException e) {
            throw new IllegalStateException("cannot install " + jar.getFileName() + " into Felix: " + e.getMessage(), e);
        } finally {
            try {
                felix.stop();
                felix.waitForStop(30_000);
            } catch (BundleException | InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            delete(storage);
        }
    }

    /** The mandatory requirements nothing installed offers, each with what the platform has instead. */
    private static List<String> missing(Bundle plugin, List<Bundle> system, Framework felix) {
        List<String> out = new ArrayList<>();
        BundleRevision rev = plugin.adapt(BundleRevision.class);
        for (BundleRequirement req : rev.getDeclaredRequirements(null)) {
            String resolution = req.getDirectives().get(Namespace.REQUIREMENT_RESOLUTION_DIRECTIVE);
            if (Namespace.RESOLUTION_OPTIONAL.equals(resolution) || PackageNamespace.RESOLUTION_DYNAMIC.equals(resolution)) {
                continue; // optional and dynamic imports never keep a bundle from resolving
            }
            String filter = req.getDirectives().get(Namespace.REQUIREMENT_FILTER_DIRECTIVE);
            if (filter == null || hasCandidate(felix, req.getNamespace(), filter)) {
                continue;
            }
            out.add(readable(req.getNamespace(), filter) + "\n  " + hint(req.getNamespace(), filter, felix));
        }
        return out;
    }

    private static boolean hasCandidate(Framework felix, String namespace, String filterText) {
        Filter filter;
        try {
            filter = FrameworkUtil.createFilter(filterText);
        } catch (InvalidSyntaxException e) {
            return false;
        }
        for (Bundle b : felix.getBundleContext().getBundles()) {
            BundleRevision r = b.adapt(BundleRevision.class);
            for (BundleCapability cap : r == null ? List.<BundleCapability>of() : r.getDeclaredCapabilities(namespace)) {
                if (filter.matches(cap.getAttributes())) {
                    return true;
                }
            }
        }
        return false;
    }

    private static final Pattern PACKAGE = Pattern.compile("\\(osgi\\.wiring\\.package=([^)]+)\\)");
    private static final Pattern FLOOR = Pattern.compile("(?<!!)\\(version>=([^)]+)\\)");
    private static final Pattern CEILING = Pattern.compile("\\(!\\(version>=([^)]+)\\)\\)");

    /** {@code Import-Package: org.slf4j;version="[1.7.0,2.0.0)"} rather than the LDAP filter, where it is a package. */
    static String readable(String namespace, String filter) {
        Matcher p = PACKAGE.matcher(filter);
        if (PackageNamespace.PACKAGE_NAMESPACE.equals(namespace) && p.find()) {
            Matcher floor = FLOOR.matcher(filter);
            Matcher ceiling = CEILING.matcher(filter);
            String range = floor.find() ? (ceiling.find() ? "[" + floor.group(1) + "," + ceiling.group(1) + ")" : floor.group(1)) : null;
            return "Import-Package: " + p.group(1) + (range == null ? "" : ";version=\"" + range + "\"");
        }
        return "Require-Capability: " + namespace + ";filter:=\"" + filter + "\"";
    }

    /** What the platform offers for a package it lacks at that version, or what to do when it has none. */
    private static String hint(String namespace, String filter, Framework felix) {
        Matcher p = PACKAGE.matcher(filter);
        if (!PackageNamespace.PACKAGE_NAMESPACE.equals(namespace) || !p.find()) {
            return "no platform bundle provides this capability";
        }
        String pkg = p.group(1);
        List<String> offers = new ArrayList<>();
        for (Bundle b : felix.getBundleContext().getBundles()) {
            BundleRevision r = b.adapt(BundleRevision.class);
            for (BundleCapability cap : r == null ? List.<BundleCapability>of() : r.getDeclaredCapabilities(PackageNamespace.PACKAGE_NAMESPACE)) {
                if (pkg.equals(cap.getAttributes().get(PackageNamespace.PACKAGE_NAMESPACE))) {
                    offers.add(cap.getAttributes().get(PackageNamespace.CAPABILITY_VERSION_ATTRIBUTE) + " ("
                            + (b.getBundleId() == 0 ? "the system bundle" : b.getSymbolicName()) + ")");
                }
            }
        }
        if (offers.isEmpty()) {
            return "no platform bundle exports " + pkg + ": embed the library privately (-includeresource and"
                    + " Bundle-ClassPath, see cogwork-plugin-parent), or import it with resolution:=optional if the code"
                    + " works without it";
        }
        return "the platform exports " + pkg + " " + String.join(", ", offers) + ", outside the range: import the"
                + " platform's version (fix the version range in the bnd instructions) or embed your own privately";
    }

    /** Packages the plugin exports that only the platform may export: Cogwork's resolver hook keeps such a bundle out. */
    private static List<String> platformExports(Bundle plugin, List<Bundle> system) {
        List<String> out = new ArrayList<>();
        BundleRevision rev = plugin.adapt(BundleRevision.class);
        for (BundleCapability cap : rev.getDeclaredCapabilities(PackageNamespace.PACKAGE_NAMESPACE)) {
            String pkg = String.valueOf(cap.getAttributes().get(PackageNamespace.PACKAGE_NAMESPACE));
            String owner = pkg.equals("org.cogwork.api") || pkg.startsWith("org.cogwork.api.") ? "the API" : null;
            for (Bundle s : system) {
                BundleRevision r = s.adapt(BundleRevision.class);
                if (owner == null && r != null && r.getDeclaredCapabilities(PackageNamespace.PACKAGE_NAMESPACE).stream()
                        .anyMatch(c -> pkg.equals(c.getAttributes().get(PackageNamespace.PACKAGE_NAMESPACE)))) {
                    owner = s.getSymbolicName();
                }
            }
            if (owner != null) {
                out.add("Export-Package: " + pkg + "\n  only the platform (" + owner + ") may export it: Cogwork keeps this"
                        + " bundle INSTALLED; embed the package privately (Private-Package) or import it instead");
            }
        }
        return out;
    }

    /** Something to install a bundle from. */
    interface InputStreamSource {
        InputStream open() throws IOException;
    }

    /** The platform's bundles by file name: {@code <cogwork.home>/system/*.jar}, or the ones this jar carries. */
    static Map<String, InputStreamSource> platformBundles() {
        Map<String, InputStreamSource> out = new TreeMap<>();
        String home = System.getProperty(HOME_PROPERTY);
        if (home != null && !home.isBlank()) {
            Path system = Path.of(home).resolve("system");
            if (!Files.isDirectory(system)) {
                throw new IllegalStateException(HOME_PROPERTY + "=" + home + " is not a Cogwork distribution (no system/ folder)");
            }
            try (Stream<Path> s = Files.list(system)) {
                s.filter(p -> p.getFileName().toString().endsWith(".jar")).sorted(Comparator.naturalOrder())
                        .forEach(p -> out.put(p.getFileName().toString(), () -> Files.newInputStream(p)));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return out;
        }
        URL folder = ResolutionCheck.class.getClassLoader().getResource(EMBEDDED);
        if (folder == null) {
            throw new IllegalStateException("the platform bundles are missing from the resolution check's jar ("
                    + EMBEDDED + "); set -D" + HOME_PROPERTY + "=/path/to/cogwork to use a distribution's system/ folder");
        }
        try {
            if ("file".equals(folder.getProtocol())) {
                try (Stream<Path> s = Files.list(Path.of(folder.toURI()))) {
                    s.filter(p -> p.getFileName().toString().endsWith(".jar"))
                            .forEach(p -> out.put(p.getFileName().toString(), () -> Files.newInputStream(p)));
                }
            } else {
                JarURLConnection c = (JarURLConnection) folder.openConnection();
                c.setUseCaches(false); // our own JarFile to close, not the class loader's
                try (JarFile jar = c.getJarFile()) {
                    jar.stream().filter(e -> e.getName().startsWith(EMBEDDED) && e.getName().endsWith(".jar")).forEach(e -> {
                        String name = e.getName().substring(EMBEDDED.length());
                        out.put(name, () -> ResolutionCheck.class.getClassLoader().getResourceAsStream(EMBEDDED + name));
                    });
                }
            }
        } catch (IOException | URISyntaxException e) {
            throw new IllegalStateException("cannot list the platform bundles in " + folder + ": " + e.getMessage(), e);
        }
        return out;
    }

    private static void delete(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary folder left behind is harmless
        }
    }
}
