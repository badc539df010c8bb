package org.cogwork.launcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.apache.felix.framework.FrameworkFactory;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.wiring.BundleRevision;

/**
 * Boots Felix: reconciles the installed platform bundles with {@code system/} (install new, update changed,
 * remove vanished ones), then starts them. Bundles are installed by reference, so Felix does not copy them
 * into its cache. The cache in {@code data/felix-cache} persists, so uploaded bundles survive a restart;
 * Config Admin's store is {@code data/config}, outside the cache.
 */
final class Boot {
    private static final String REFERENCE = "reference:";

    /**
     * The logging API lives on the launcher's class path, so every bundle shares one backend. The client packages
     * are exported a second time as 1.7.36, as slf4j-api's own manifest does since 2.0.7 (SLF4J-579): the 2.0 API is
     * backward compatible for callers, so bundles built against slf4j 1.7 ({@code org.slf4j;version="[1.7,2)"}, most
     * of Maven Central, Felix Web Console and Health Checks among them) resolve against the same classes. Only the
     * back-end packages ({@code spi}, {@code event}) stay 2.0-only, as upstream.
     */
    static final String SLF4J_EXPORTS = "org.slf4j;version=2.0.16,org.slf4j.spi;version=2.0.16,org.slf4j.event;version=2.0.16,"
            + "org.slf4j.helpers;version=2.0.16,org.slf4j;version=1.7.36,org.slf4j.helpers;version=1.7.36";

    private Boot() {
    }

    static String version() {
        String v = Boot.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    /** A framework initialised with the platform bundles installed, not started yet. */
    record Booted(Framework framework, List<Bundle> platform, SafeMode safeMode, Map<Bundle, String> heldBack) {
    }

    /**
     * TLS, when {@code tls.enabled=true} in cogwork.properties: the port serves HTTPS only, with the keystore
     * {@code tls.keystore} (PKCS12 or JKS; relative to the home) whose password comes from the environment
     * ({@code COGWORK_TLS_KEYSTORE_PASSWORD}), never from a file in the home.
     */
    static void tls(Home home, int port, Properties settings, Map<String, String> props) throws Main.StartupException {
        if (!Boolean.parseBoolean(settings.getProperty("tls.enabled", "false").trim())) {
            return;
        }
        String store = settings.getProperty("tls.keystore", "").trim();
        if (store.isEmpty()) {
            throw new Main.StartupException("tls.enabled=true needs tls.keystore (a PKCS12 or JKS file) in config/cogwork.properties");
        }
        java.nio.file.Path path = home.root().resolve(store).toAbsolutePath().normalize();
        if (!java.nio.file.Files.isReadable(path)) {
            throw new Main.StartupException("tls.keystore " + path + " cannot be read");
        }
        String password = System.getenv("COGWORK_TLS_KEYSTORE_PASSWORD");
        if (password == null || password.isEmpty()) {
            throw new Main.StartupException("tls.enabled=true needs the keystore password in the environment variable COGWORK_TLS_KEYSTORE_PASSWORD");
        }
        props.put("org.apache.felix.http.enable", "false");
        props.put("org.apache.felix.https.enable", "true");
        props.put("org.osgi.service.http.port.secure", Integer.toString(port));
        props.put("org.apache.felix.https.keystore", path.toString());
        props.put("org.apache.felix.https.keystore.password", password);
        props.put("org.apache.felix.https.keystore.key.password", password);
        props.put("cogwork.tls", "true");
    }

    static Booted init(Home home, String host, int port, Properties settings, Options options)
            throws Main.StartupException {
        Map<String, String> props = new HashMap<>();
        props.put(Constants.FRAMEWORK_STORAGE, home.data().resolve("felix-cache").toString());
        if (options.clean()) {
            props.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        }
        // Config Admin keeps sources and settings outside the framework cache, so --clean keeps them.
        Path configStore = home.data().resolve("config");
        try {
            migrateConfigStore(home.data().resolve("felix-cache"), configStore);
            Files.createDirectories(configStore);
            // it holds source passwords: owner only
            if (Files.getFileStore(configStore).supportsFileAttributeView(PosixFileAttributeView.class)) {
                Files.setPosixFilePermissions(configStore, PosixFilePermissions.fromString("rwx------"));
            }
        } catch (IOException e) {
            throw new Main.StartupException("cannot move the configuration store to " + configStore + ": " + e.getMessage(), e);
        }
        props.put("felix.cm.dir", configStore.toString());
        props.put(Constants.FRAMEWORK_SYSTEMPACKAGES_EXTRA, SLF4J_EXPORTS);
        // Java Flight Recorder instruments the event classes of bundled libraries (Jdbi's statement events) to call
        // handler classes it defines at run time in jdk.jfr.internal.handlers; without boot delegation for that
        // package, a bundle cannot load them and every JDBC call failed while a recording ran (-XX:StartFlightRecording).
        props.put(Constants.FRAMEWORK_BOOTDELEGATION, "jdk.jfr.internal.handlers");
        props.put("felix.log.level", "1");
        // The Log Service's history (100 entries by default) is where the runtime finds the activator failures of
        // plugins started before it: a start-up logs a few hundred entries.
        props.put("org.apache.felix.log.maxSize", "1000");
        props.put("cogwork.home", home.root().toString());
        props.put("cogwork.system.dir", home.system().toString());
        props.put("cogwork.deploy.dir", home.deploy().toString());
        props.put("cogwork.config.dir", home.config().toString());
        props.put("cogwork.data.dir", home.data().toString());
        props.put("cogwork.version", version());
        // Safe mode (SafeMode): the runtime shows the held-back bundles with the reasons in this file.
        props.put("cogwork.safe", Boolean.toString(options.safe()));
        props.put("cogwork.heldback.file", home.data().resolve(SafeMode.HELD_BACK_FILE).toString());
        props.put("cogwork.watch.poll.ms", settings.getProperty("watch.poll.ms", "300").trim());
        // HTTP (Felix HTTP Jetty 12)
        props.put("org.osgi.service.http.port", Integer.toString(port));
        props.put("org.apache.felix.http.host", host);
        props.put("org.apache.felix.http.jetty.sendServerHeader", "false");
        tls(home, port, settings, props);
        // FileInstall watches config/ (Config Admin .cfg/.config files); config/org.apache.felix.fileinstall-deploy.cfg
        // adds a second watcher for deploy/.
        props.put("felix.fileinstall.dir", home.config().toString());
        props.put("felix.fileinstall.filter", ".*\\.(cfg|config)");
        props.put("felix.fileinstall.poll", props.get("cogwork.watch.poll.ms"));
        props.put("felix.fileinstall.noInitialDelay", "true");
        props.put("felix.fileinstall.log.level", "2");
        // Compare the files' checksums on every poll instead of waiting for inotify events (FileInstall's NIO2
        // scanner only looks at files an event named): a handful of files costs nothing to check, and a config
        // edit just after start-up was once seen never applied.
        props.put("felix.fileinstall.disableNio2", "true");
        // FileInstall never writes config files back: an event queued from start-up made it rewrite a file an admin
        // had just edited with the old values. Sealed secrets are written into the file by the runtime instead.
        props.put("felix.fileinstall.enableConfigSave", "false");
        // Anything given as -Dfelix.* or -Dorg.osgi.* wins, for experiments.
        System.getProperties().forEach((k, v) -> {
            String key = k.toString();
            if (key.startsWith("felix.") || key.startsWith("org.osgi.") || key.startsWith("org.apache.felix.")) {
                props.put(key, v.toString());
            }
        });

        MovedHome movedHome;
        try {
            movedHome = MovedHome.beforeInit(home);
        } catch (IOException e) {
            throw new Main.StartupException("cannot clean the framework cache of a moved home: " + e.getMessage() + CLEAN_HINT, e);
        }
        Framework framework = new FrameworkFactory().newFramework(props);
        try {
            framework.init();
            BundleContext ctx = framework.getBundleContext();
            String moved = movedHome.afterInit(ctx).message();
            if (moved != null) {
                System.out.println(moved);
            }
            List<Path> jars = jars(home.system());
            if (options.shell()) {
                jars.addAll(jars(home.system().resolve("shell")));
            }
            List<Bundle> bundles = reconcile(ctx, home, jars);
            String systemPrefix = REFERENCE + home.system().toUri();
            PlatformPackages.register(ctx, systemPrefix, bundles);
            SafeMode safeMode = new SafeMode(home, systemPrefix, options.safe());
            return new Booted(framework, bundles, safeMode, safeMode.apply(ctx));
        } catch (BundleException | IOException e) {
            throw new Main.StartupException("the OSGi framework could not start: " + e.getMessage() + CLEAN_HINT, e);
        }
    }

    /** What to try when the framework cache cannot be used. */
    static final String CLEAN_HINT = System.lineSeparator() + "  The framework cache (data/felix-cache) may be damaged: "
            + "'bin/cogwork run --clean' starts with a fresh one (configuration, sources and data are kept; bundles "
            + "uploaded over the API must be uploaded again, deploy/ is installed again)";

    /** Starts the framework (and with it every bundle not held back), then the platform bundles. */
    static void start(Booted booted) throws Main.StartupException {
        try {
            booted.framework().start();
            startAll(booted.platform());
        } catch (BundleException e) {
            throw new Main.StartupException("the OSGi framework could not start: " + e.getMessage() + CLEAN_HINT, e);
        }
    }

    /**
     * Moves Config Admin's store out of the framework cache ({@code felix-cache/bundle<N>/data/config}, where
     * earlier versions kept it) once, so existing sources survive the upgrade.
     */
    static void migrateConfigStore(Path cache, Path store) throws IOException {
        if (Files.exists(store) || !Files.isDirectory(cache)) {
            return;
        }
        List<Path> old;
        try (Stream<Path> s = Files.list(cache)) {
            old = s.map(b -> b.resolve("data").resolve("config")).filter(Files::isDirectory).toList();
        }
        if (old.size() == 1) {
            Files.move(old.get(0), store);
            System.out.println("cogwork: moved the configuration store from " + old.get(0) + " to " + store);
        }
    }

    private static List<Path> jars(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return new ArrayList<>();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return new ArrayList<>(s.filter(p -> p.getFileName().toString().endsWith(".jar")).sorted().toList());
        }
    }

    /** Makes the installed platform bundles match {@code jars}; returns them in install order. */
    private static List<Bundle> reconcile(BundleContext ctx, Home home, List<Path> jars) throws BundleException {
        Map<String, Path> wanted = new HashMap<>();
        for (Path jar : jars) {
            wanted.put(REFERENCE + jar.toUri(), jar);
        }
        String systemPrefix = REFERENCE + home.system().toUri();
        for (Bundle b : ctx.getBundles()) {
            if (b.getLocation().startsWith(systemPrefix) && !wanted.containsKey(b.getLocation())) {
                b.uninstall();
            }
        }
        List<Bundle> result = new ArrayList<>();
        for (Path jar : jars) {
            String location = REFERENCE + jar.toUri();
            Bundle b = ctx.getBundle(location);
            if (b == null) {
                b = ctx.installBundle(location);
            } else if (jar.toFile().lastModified() > b.getLastModified()) {
                b.update();
            }
            result.add(b);
        }
        return result;
    }

    /** Starts the platform bundles; the deploy watcher last, so hot-deployed bundles find the platform ready. */
    private static void startAll(List<Bundle> bundles) throws BundleException {
        List<Bundle> order = new ArrayList<>(bundles);
        order.sort(Comparator.comparing(b -> "org.apache.felix.fileinstall".equals(b.getSymbolicName())));
        List<String> failures = new ArrayList<>();
        for (Bundle b : order) {
            BundleRevision rev = b.adapt(BundleRevision.class);
            boolean fragment = rev != null && (rev.getTypes() & BundleRevision.TYPE_FRAGMENT) != 0;
            if (!fragment) {
                try {
                    b.start();
                } catch (BundleException e) {
                    failures.add(b.getSymbolicName() + ": " + e.getMessage());
                }
            }
        }
        if (!failures.isEmpty()) {
            // A platform bundle that cannot start is reported, and /health answers DOWN naming it.
            System.err.println("cogwork: platform bundles failed to start:" + System.lineSeparator() + "  "
                    + String.join(System.lineSeparator() + "  ", failures));
        }
    }
}
