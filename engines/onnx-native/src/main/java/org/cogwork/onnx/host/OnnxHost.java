package org.cogwork.onnx.host;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtSession;

/**
 * ONNX Runtime's one environment in this JVM, loading the native library on the first call.
 *
 * <p>ONNX Runtime copies {@code libonnxruntime.so} and its JNI library out of this bundle into a temporary folder and
 * loads them with this bundle's class loader; a JVM binds a native library to one class loader, so this bundle is
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
