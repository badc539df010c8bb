package org.cogwork.runtime.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Properties;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.startlevel.BundleStartLevel;
import org.osgi.framework.startlevel.FrameworkStartLevel;

/**
 * Safe mode as the runtime sees it. The launcher holds a plugin bundle back (after it stopped the JVM, after a
 * start that never finished, or for every plugin bundle with {@code --safe}) by giving it a start level above
 * the framework's, so nothing starts it; the reasons are in {@code data/held-back.properties} (location =
 * reason), which the launcher writes and this class shortens when an admin releases or removes a bundle.
 */
final class HeldBack {
    private final BundleContext ctx;
    private final Dirs dirs;
    private final Path file;

    HeldBack(BundleContext ctx, Dirs dirs) {
        this.ctx = ctx;
        this.dirs = dirs;
        String f = ctx.getProperty("cogwork.heldback.file");
        this.file = f == null ? dirs.data().resolve("held-back.properties") : Path.of(f);
    }

    /** Why {@code b} is held back, or {@code null} when it is not. */
    String reason(Bundle b) {
        String origin = dirs.origin(b.getBundleId(), b.getLocation());
        if ("framework".equals(origin) || "system".equals(origin) || b.getState() == Bundle.UNINSTALLED) {
            return null;
        }
        BundleStartLevel level = b.adapt(BundleStartLevel.class);
        int active = ctx.getBundle(0).adapt(FrameworkStartLevel.class).getStartLevel();
        if (level == null || level.getStartLevel() <= active) {
            return null;
        }
        String why = load().getProperty(b.getLocation());
        if (why != null) {
            return why;
        }
        return Boolean.parseBoolean(ctx.getProperty("cogwork.safe")) ? "Cogwork was started with --safe"
                : "its start level " + level.getStartLevel() + " is above the framework's (" + active + ")";
    }

    /** Lets a held-back bundle start again: back at the framework's start level, and off the list. */
    synchronized void release(Bundle b) throws BundleException {
        forget(b);
        // stop() on a bundle that is not active only clears its "started" mark, so lowering its start level does
        // not start it in the background while the caller starts it and reports the outcome.
        b.stop();
        int active = ctx.getBundle(0).adapt(FrameworkStartLevel.class).getStartLevel();
        BundleStartLevel level = b.adapt(BundleStartLevel.class);
        level.setStartLevel(active);
        // The framework applies a start level change on its own thread; start() before that would only mark it.
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (level.getStartLevel() > active && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new BundleException("interrupted while lowering the start level of " + b.getSymbolicName(), e);
            }
        }
    }

    /** Takes a bundle off the list (released or uninstalled). */
    synchronized void forget(Bundle b) {
        Properties p = load();
        if (p.remove(b.getLocation()) == null) {
            return;
        }
        try {
            if (p.isEmpty()) {
                Files.deleteIfExists(file);
                return;
            }
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            try (OutputStream out = Files.newOutputStream(tmp)) {
                p.store(out, "Bundles held back at start (location = reason); see README, 'Safe mode'");
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new IllegalStateException("cannot update " + file + ": " + e.getMessage(), e);
        }
    }

    private Properties load() {
        Properties p = new Properties();
        if (Files.exists(file)) {
            try (InputStream in = Files.newInputStream(file)) {
                p.load(in);
            } catch (IOException e) {
                // unreadable: the start levels still say which bundles are held back
            }
        }
        return p;
    }
}
