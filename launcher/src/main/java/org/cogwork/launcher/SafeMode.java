package org.cogwork.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.startlevel.BundleStartLevel;
import org.osgi.framework.wiring.BundleWiring;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Crash-loop protection. A bundle that stops the JVM (its activator calls {@code System.exit}) would otherwise
 * stop every later start too, since the framework restarts it from its cache. So:
 * <ul>
 * <li>{@code data/starting} exists from just before the bundles start until Cogwork has started; found at the
 * next start, the previous one never finished, and every plugin bundle (not from {@code system/}) is held back;
 * <li>the shutdown hook tells a signal (Ctrl-C, SIGTERM) from a {@code System.exit} call, finds the calling
 * class in the stack of the exiting thread and holds back the plugin bundle that owns it (all of them if none
 * does);
 * <li>held-back bundles are listed in {@code data/held-back.properties} (location = reason). They stay installed
 * but get start level {@value #HELD_BACK_LEVEL}, above the framework's (1): nothing starts them, neither the
 * framework, nor the deploy watcher, nor the shell, until the runtime's {@code POST /api/bundles/{id}/start}
 * puts them back at level 1 and removes their line. {@code --safe} holds every plugin bundle back for one run.
 * </ul>
 * The runtime reads the same file and start levels for {@code /health} and {@code /api/bundles}.
 */
final class SafeMode {
    static final int HELD_BACK_LEVEL = 2;
    static final String HELD_BACK_FILE = "held-back.properties";
    static final String MARKER_FILE = "starting";

    private final Path heldBackFile;
    private final Path marker;
    private final String systemPrefix;
    private final boolean forced;
    private volatile boolean signalled;
    private volatile boolean started;

    SafeMode(Home home, String systemPrefix, boolean forced) {
        this.heldBackFile = home.data().resolve(HELD_BACK_FILE);
        this.marker = home.data().resolve(MARKER_FILE);
        this.systemPrefix = systemPrefix;
        this.forced = forced;
    }

    boolean isPlugin(Bundle b) {
        return b.getBundleId() != 0 && !b.getLocation().startsWith(systemPrefix);
    }

    /**
     * Before the framework starts its bundles: holds back what an unfinished previous start or a recorded crash
     * names (or every plugin bundle with {@code --safe}); returns the held-back bundles and why.
     */
    Map<Bundle, String> apply(BundleContext ctx) throws IOException {
        List<Bundle> plugins = new ArrayList<>();
        for (Bundle b : ctx.getBundles()) {
            if (isPlugin(b)) {
                plugins.add(b);
            }
        }
        Properties held = load(heldBackFile);
        boolean changed = held.keySet().removeIf(loc -> plugins.stream().noneMatch(b -> b.getLocation().equals(loc)));
        if (Files.exists(marker)) {
            String when = Files.readString(marker).trim();
            for (Bundle b : plugins) {
                held.putIfAbsent(b.getLocation(), "Cogwork did not finish starting at " + when
                        + " while this bundle was installed, and no single bundle could be blamed");
            }
            Files.delete(marker);
            changed = true;
        }
        if (changed) {
            store(heldBackFile, held);
        }
        Map<Bundle, String> result = new LinkedHashMap<>();
        for (Bundle b : plugins) {
            String reason = held.getProperty(b.getLocation());
            if (reason == null && forced) {
                reason = "Cogwork was started with --safe";
            }
            BundleStartLevel level = b.adapt(BundleStartLevel.class);
            if (reason != null) {
                level.setStartLevel(HELD_BACK_LEVEL);
                result.put(b, reason);
            } else if (level.getStartLevel() == HELD_BACK_LEVEL) {
                level.setStartLevel(1);
            }
        }
        return result;
    }

    /** Records that SIGTERM, SIGINT or SIGHUP asked the JVM to stop, so the shutdown hook does not blame a bundle. */
    void watchSignals() {
        for (String name : List.of("TERM", "INT", "HUP")) {
            try {
                Signal signal = new Signal(name);
                SignalHandler[] previous = new SignalHandler[1];
                previous[0] = Signal.handle(signal, s -> {
                    signalled = true;
                    if (previous[0] != null) {
                        previous[0].handle(s);
                    }
                });
                if (previous[0] == SignalHandler.SIG_DFL || previous[0] == SignalHandler.SIG_IGN) {
                    Signal.handle(signal, previous[0]); // not the JVM's handler (e.g. nohup): leave it alone
                }
            } catch (IllegalArgumentException e) {
                // -Xrs, or a signal this OS lacks: the stack check in onExit still tells a signal apart
            }
        }
    }

    void starting() throws IOException {
        Files.writeString(marker, Instant.now().toString());
    }

    void started() throws IOException {
        started = true;
        Files.deleteIfExists(marker);
    }

    /**
     * In the shutdown hook, before the framework stops: if a plugin bundle called {@code System.exit}, holds it
     * back for the next start.
     *
     * @return a line for the log when a bundle was blamed, else {@code null}
     */
    String onExit(BundleContext ctx) {
        try {
            StackTraceElement[] stack = exitingStack();
            // A signal goes through Shutdown.exit without Runtime.exit; our own exit is called from this package.
            if (signalled || stack == null || stack[0].getClassName().startsWith(SafeMode.class.getPackageName() + ".")) {
                if (!started) {
                    Files.deleteIfExists(marker);
                }
                return null;
            }
            List<Bundle> plugins = new ArrayList<>();
            for (Bundle b : ctx.getBundles()) {
                if (isPlugin(b)) {
                    plugins.add(b);
                }
            }
            Bundle culprit = null;
            for (int i = 0; i < stack.length && culprit == null; i++) {
                culprit = owner(plugins, stack[i].getClassName());
            }
            if (culprit == null && isPlatformClass(ctx, stack[0].getClassName())) {
                Files.deleteIfExists(marker); // e.g. the shell's exit command: meant, not a crash
                return null;
            }
            String caller = stack[0].getClassName() + "." + stack[0].getMethodName();
            Properties held = load(heldBackFile);
            String message;
            if (culprit != null) {
                held.setProperty(culprit.getLocation(), "called System.exit (" + caller + ") at " + Instant.now()
                        + " and stopped Cogwork");
                message = "bundle " + culprit.getSymbolicName() + " " + culprit.getVersion() + " called System.exit ("
                        + caller + "); it will be held back (not started) at the next start";
            } else if (plugins.isEmpty()) {
                message = "System.exit was called from " + caller + ", and no plugin bundle is installed";
            } else {
                for (Bundle b : plugins) {
                    held.putIfAbsent(b.getLocation(), "Cogwork was stopped by System.exit from " + caller
                            + " at " + Instant.now() + ", which no single bundle could be blamed for");
                }
                message = "System.exit was called from " + caller + ", outside any plugin bundle; every uploaded "
                        + "and deployed bundle will be held back at the next start";
            }
            store(heldBackFile, held);
            Files.deleteIfExists(marker);
            return message;
        } catch (IOException | RuntimeException e) {
            return "could not record which bundle stopped Cogwork: " + e;
        }
    }

    /** The frames below {@code Runtime.exit} of the thread that called it, or {@code null}. */
    private static StackTraceElement[] exitingStack() {
        for (Map.Entry<Thread, StackTraceElement[]> e : Thread.getAllStackTraces().entrySet()) {
            StackTraceElement[] st = e.getValue();
            int exit = -1;
            for (int i = 0; i < st.length; i++) {
                if ("java.lang.Runtime".equals(st[i].getClassName()) && "exit".equals(st[i].getMethodName())) {
                    exit = i;
                }
            }
            if (exit < 0) {
                continue;
            }
            int from = exit + 1;
            while (from < st.length && st[from].getClassName().startsWith("java.lang.")) {
                from++; // System.exit
            }
            if (from < st.length) {
                StackTraceElement[] callers = new StackTraceElement[st.length - from];
                System.arraycopy(st, from, callers, 0, callers.length);
                return callers;
            }
        }
        return null;
    }

    /** Whether the launcher's class path (launcher, Felix) or a bundle from system/ holds {@code className}. */
    private boolean isPlatformClass(BundleContext ctx, String className) {
        try {
            Class.forName(className, false, SafeMode.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            // not on the launcher's class path
        }
        List<Bundle> platform = new ArrayList<>();
        for (Bundle b : ctx.getBundles()) {
            if (!isPlugin(b)) {
                platform.add(b);
            }
        }
        return owner(platform, className) != null;
    }

    /** The bundle (of {@code bundles}) whose class loader defined {@code className}, or {@code null}. */
    private static Bundle owner(List<Bundle> bundles, String className) {
        for (Bundle b : bundles) {
            BundleWiring wiring = b.adapt(BundleWiring.class);
            ClassLoader loader = wiring == null ? null : wiring.getClassLoader();
            if (loader == null) {
                continue;
            }
            try {
                if (Class.forName(className, false, loader).getClassLoader() == loader) {
                    return b;
                }
            } catch (ClassNotFoundException | LinkageError e) {
                // not this bundle's
            }
        }
        return null;
    }

    static Properties load(Path file) {
        Properties p = new Properties();
        if (Files.exists(file)) {
            try (InputStream in = Files.newInputStream(file)) {
                p.load(in);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return p;
    }

    /** Writes through a temporary file, so a crash leaves the old or the new list, never half of one. */
    static void store(Path file, Properties p) throws IOException {
        if (p.isEmpty()) {
            Files.deleteIfExists(file);
            return;
        }
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (OutputStream out = Files.newOutputStream(tmp)) {
            p.store(out, "Bundles held back at start (location = reason); see README, 'Safe mode'");
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
