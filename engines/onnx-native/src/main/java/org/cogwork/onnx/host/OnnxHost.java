package org.cogwork.onnx.host;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Locale;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;

/**
 * ONNX Runtime's one environment in this JVM, loading the native library on the first call.
 *
 * <p>The native libraries ({@code libonnxruntime.so} and the JNI library) are copied out of this bundle once per home,
 * into {@code data/onnxruntime/<version>/} (the data folder is the framework property {@code cogwork.data.dir}), and ONNX Runtime loads them
 * from there ({@code onnxruntime.native.path}) with this bundle's class loader; left to itself it would copy 28 MB into
 * a new temporary folder on every start and leave it behind whenever the JVM is killed. A JVM binds a native library
 * to one class loader, so this bundle is
 * never updated or refreshed while Cogwork runs (header {@code Cogwork-Native}), and the bundles that use it (the ONNX
 * engine adapter, sentence embeddings) can be. Its {@link OrtEnvironment} is a process-wide singleton: every user
 * shares it, nobody closes it. Sessions are what users own and close.
 *
 * <pre>{@code
 * OrtEnvironment env = OnnxHost.environment();
 * try (OrtSession.SessionOptions options = OnnxHost.sessionOptions(1);
 *      OrtSession session = env.createSession(modelBytes, options)) { ... }
 * }</pre>
 *
 * <p>Thread-safe. Outside OSGi (tests, tools) the same code runs with the application class loader.
 */
public final class OnnxHost {
    /** ONNX Runtime's property naming the folder it loads its native libraries from. */
    static final String NATIVE_PATH = "onnxruntime.native.path";
    /** This bundle's header naming what it loads ({@code onnxruntime <version>}), which the runtime also reads. */
    static final String NATIVE_HEADER = "Cogwork-Native";
    private static volatile OrtEnvironment environment;
    private static String failure;

    private OnnxHost() {
    }

    /**
     * The environment, loading ONNX Runtime on the first call (tens of milliseconds: the libraries are copied to a
     * temporary folder first).
     *
     * @throws IllegalStateException saying why ONNX Runtime cannot load (e.g. this bundle was refreshed, which needs a
     *     restart of the JVM); the same reason on every later call
     */
    public static OrtEnvironment environment() {
        OrtEnvironment e = environment;
        if (e != null) {
            return e;
        }
        synchronized (OnnxHost.class) {
            if (environment != null) {
                return environment;
            }
            if (failure != null) {
                throw new IllegalStateException(failure);
            }
            try {
                Bundle bundle = FrameworkUtil.getBundle(OnnxHost.class);
                useNativeFolder(dataDir(bundle), bundle == null ? null : bundle.getHeaders().get(NATIVE_HEADER));
                environment = OrtEnvironment.getEnvironment(OrtLoggingLevel.ORT_LOGGING_LEVEL_WARNING, "cogwork");
                return environment;
            } catch (Throwable t) {
                failure = explain(t);
                throw new IllegalStateException(failure, t);
            }
        }
    }

    /**
     * Options for a session that runs on the caller's thread plus at most {@code intraOpThreads - 1} of ONNX Runtime's
     * own, which never spin while idle: on a small machine request threads and ONNX Runtime's threads share the cores,
     * and its default (one spinning thread per core per session) takes them from the request threads. The caller closes
     * the options after creating its sessions.
     *
     * @param intraOpThreads threads per operator, at least 1 (1: the caller's thread only, best for small tabular models)
     */
    public static OrtSession.SessionOptions sessionOptions(int intraOpThreads) throws OrtException {
        if (intraOpThreads < 1) {
            throw new IllegalArgumentException("intraOpThreads must be >= 1, was " + intraOpThreads);
        }
        environment();
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        try {
            options.setIntraOpNumThreads(intraOpThreads);
            options.setInterOpNumThreads(1);
            options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            options.addConfigEntry("session.intra_op.allow_spinning", "0");
            return options;
        } catch (OrtException | RuntimeException e) {
            options.close();
            throw e;
        }
    }

    /** ONNX Runtime's version, e.g. {@code 1.29.0}, loading it when not loaded yet. */
    public static String version() {
        return environment().getVersion();
    }

    /** Whether ONNX Runtime has been loaded in this JVM by this bundle, without loading it. */
    public static boolean isLoaded() {
        return environment != null;
    }

    /** Why ONNX Runtime could not load, or {@code null} when it loaded or was not tried yet. */
    public static synchronized String failure() {
        return failure;
    }

    /**
     * Copies the native libraries into {@code dataDir/onnxruntime/<version>/} unless they are there already (each written
     * to a temporary name and renamed, so a present file is a whole one) and points ONNX Runtime at that folder. Does
     * nothing outside OSGi, when {@code -Donnxruntime.native.path} was given, or on a platform this bundle carries no
     * libraries for (ONNX Runtime then says what is missing).
     */
    static void useNativeFolder(Path dataDir, String nativeHeader) throws IOException {
        if (dataDir == null || nativeHeader == null || System.getProperty(NATIVE_PATH) != null) {
            return;
        }
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "");
        if (!os.contains("linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
            return;
        }
        // "onnxruntime 1.29.0": a new version gets a folder of its own
        Path dir = dataDir.resolve("onnxruntime").resolve(nativeHeader.replaceFirst("^onnxruntime\\s*", "").trim());
        for (String name : List.of("onnxruntime", "onnxruntime4j_jni")) {
            String file = System.mapLibraryName(name);
            Path target = dir.resolve(file);
            if (Files.isRegularFile(target)) {
                continue;
            }
            try (InputStream in = OnnxHost.class.getResourceAsStream("/ai/onnxruntime/native/linux-x64/" + file)) {
                if (in == null) {
                    return;
                }
                Files.createDirectories(dir);
                Path part = Files.createTempFile(dir, file, ".part");
                try {
                    Files.copy(in, part, StandardCopyOption.REPLACE_EXISTING);
                    Files.move(part, target, StandardCopyOption.ATOMIC_MOVE);
                } finally {
                    Files.deleteIfExists(part);
                }
            }
        }
        System.setProperty(NATIVE_PATH, dir.toString());
    }

    /**
     * The runtime's data folder (framework property {@code cogwork.data.dir}), or {@code null} outside OSGi. Read on
     * first use rather than by an activator, so nothing of ONNX Runtime is touched at start-up.
     */
    private static Path dataDir(Bundle bundle) {
        BundleContext ctx = bundle == null ? null : bundle.getBundleContext();
        String dir = ctx == null ? null : ctx.getProperty("cogwork.data.dir");
        return dir == null ? null : Path.of(dir);
    }

    private static String explain(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = String.valueOf(root.getMessage());
        if (root instanceof UnsatisfiedLinkError && message.contains("already loaded in another classloader")) {
            return "ONNX Runtime is already loaded by an earlier copy of the ONNX native host bundle (it was updated or "
                    + "refreshed); a JVM loads a native library only once: restart Cogwork";
        }
        return root.getClass().getSimpleName() + ": " + message;
    }
}
