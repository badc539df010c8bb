package org.cogwork.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Properties;
import org.osgi.framework.Bundle;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.launch.Framework;

/**
 * {@code cogwork run}: checks that the home and the port are free, boots Felix with the platform bundles and
 * runs in the foreground until Ctrl-C or SIGTERM, then stops every bundle cleanly.
 */
public final class Main {
    private static final PrintStream OUT = System.out;

    private Main() {
    }

    public static void main(String[] args) {
        long t0 = System.nanoTime();
        String dist = System.getProperty("cogwork.dist");
        Options options;
        try {
            options = Options.parse(args, Path.of(dist != null ? dist : "."));
        } catch (Options.UsageException e) {
            System.err.println("cogwork: " + e.getMessage());
            System.err.print(Options.USAGE);
            System.exit(2);
            return;
        }
        if (options.command().equals("help")) {
            OUT.print(Options.USAGE);
            return;
        }
        // H2's value cache hashes every string a statement binds (the prediction log's JSON too) to share equal small
        // ones: for the metadata store's writes that was a tenth of the prediction log's store thread (JFR), for nothing
        if (System.getProperty("h2.objectCache") == null) {
            System.setProperty("h2.objectCache", "false");
        }
        try {
            System.exit(run(options, t0));
        } catch (StartupException e) {
            System.err.println("cogwork: " + e.getMessage());
            System.exit(1);
        }
    }

    /** A reason not to start, for the user. */
    static final class StartupException extends Exception {
        private static final long serialVersionUID = 1L;

        StartupException(String message) {
            super(message);
        }

        StartupException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    static int run(Options options, long t0) throws StartupException {
        Home home = Home.open(options.home());
        Properties settings = home.settings();
        int port;
        try {
            port = options.effectivePort(settings);
        } catch (Options.UsageException e) {
            throw new StartupException("config/cogwork.properties: " + e.getMessage());
        }
        String host = options.effectiveHost(settings);
        Logging.configure(home);

        try (FileChannel lockChannel = FileChannel.open(home.data().resolve(".lock"),
                StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock lock = tryLock(lockChannel, home)) {
            checkPortFree(host, port);
            Permissions.tighten(home.data());
            Boot.Booted booted = Boot.init(home, host, port, settings, options);
            Framework framework = booted.framework();
            SafeMode safeMode = booted.safeMode();
            reportHeldBack(booted.heldBack());
            safeMode.watchSignals();
            Thread hook = new Thread(() -> {
                String blamed = safeMode.onExit(framework.getBundleContext());
                if (blamed != null) {
                    System.err.println("cogwork: " + blamed);
                }
                // A bundle that calls System.exit from its activator holds its lock for ever: do not wait long.
                stop(framework, blamed == null ? 30_000 : 5_000);
            }, "cogwork-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            safeMode.starting();
            Boot.start(booted);
            if (waitForPort(host, port, 30_000)) {
                safeMode.started();
                long ms = (System.nanoTime() - t0) / 1_000_000;
                String scheme = Boolean.parseBoolean(settings.getProperty("tls.enabled", "false").trim()) ? "https" : "http";
                OUT.printf("Cogwork %s started in %d ms, listening on %s://%s:%d/ (health: %s://%s:%d/health)%s%n",
                        Boot.version(), ms, scheme, host, port, scheme, host, port, booted.heldBack().isEmpty() ? "" : " in SAFE MODE");
            } else {
                OUT.printf("Cogwork started, but nothing answers on %s:%d yet; see the log above%n", host, port);
            }
            FrameworkEvent end = framework.waitForStop(0);
            if (end.getType() == FrameworkEvent.ERROR) {
                System.err.println("cogwork: the framework stopped with an error: " + end.getThrowable());
                return 1;
            }
            return 0;
        } catch (IOException e) {
            throw new StartupException("cannot use " + home.data() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
    }

    private static FileLock tryLock(FileChannel channel, Home home) throws IOException, StartupException {
        FileLock lock = channel.tryLock();
        if (lock == null) {
            throw new StartupException("another Cogwork is already running with home " + home.root()
                    + " (data/.lock is held); stop it first or use --home for a second instance");
        }
        return lock;
    }

    static void checkPortFree(String host, int port) throws StartupException {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(host, port));
        } catch (BindException e) {
            throw new StartupException("port " + port + " on " + host + " is already in use (is another Cogwork "
                    + "running?); stop that process or choose another port with --port N");
        } catch (IOException e) {
            throw new StartupException("cannot listen on " + host + ":" + port + ": " + e.getMessage(), e);
        }
    }

    private static boolean waitForPort(String host, int port, long timeoutMs) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (System.currentTimeMillis() < deadline) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(host, port), 200);
                return true;
            } catch (IOException e) {
                Thread.sleep(10);
            }
        }
        return false;
    }

    private static void reportHeldBack(Map<Bundle, String> heldBack) {
        if (heldBack.isEmpty()) {
            return;
        }
        StringBuilder sb = new StringBuilder("cogwork: SAFE MODE: ").append(heldBack.size())
                .append(" bundle(s) stay installed but are not started:");
        heldBack.forEach((b, why) -> sb.append(System.lineSeparator()).append("  ").append(b.getBundleId()).append(' ')
                .append(b.getSymbolicName()).append(' ').append(b.getVersion()).append(": ").append(why));
        sb.append(System.lineSeparator()).append("  Start one with POST /api/bundles/{id}/start or remove it with "
                + "DELETE /api/bundles/{id}; see README, 'Safe mode'.");
        OUT.println(sb);
    }

    private static void stop(Framework framework, long timeoutMs) {
        try {
            OUT.println("Cogwork stopping...");
            framework.stop();
            FrameworkEvent e = framework.waitForStop(timeoutMs);
            OUT.println(e.getType() == FrameworkEvent.WAIT_TIMEDOUT
                    ? "Cogwork did not stop within " + timeoutMs / 1000 + " s" : "Cogwork stopped");
        } catch (Exception e) {
            System.err.println("cogwork: error while stopping: " + e);
        }
    }

    /** Reads a properties file; a missing file is empty. */
    static Properties load(Path file) throws StartupException {
        Properties p = new Properties();
        if (Files.exists(file)) {
            try (InputStream in = Files.newInputStream(file)) {
                p.load(in);
            } catch (IOException | IllegalArgumentException e) {
                throw new StartupException("cannot read " + file + ": " + e.getMessage(), e);
            }
        }
        return p;
    }
}
