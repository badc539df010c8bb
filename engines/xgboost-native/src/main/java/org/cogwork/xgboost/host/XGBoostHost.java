package org.cogwork.xgboost.host;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import ml.dmlc.xgboost4j.java.DMatrix;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads XGBoost's native library once per JVM, from the XGBoost4J jar on this bundle's class path.
 *
 * <p>XGBoost4J's {@code NativeLibLoader} copies {@code lib/<os>/<arch>/libxgboost4j.so} out of the jar into a
 * temporary file (deleted when the JVM exits) and {@link System#load}s it; the library then belongs to this bundle's
 * class loader until the JVM ends. So this bundle is never updated or refreshed while Cogwork runs, and the first
 * touch of XGBoost happens here, with this bundle's class loader as the thread's context class loader
 * (commons-logging, which XGBoost4J logs through, looks up its implementation there). Nothing loads at start-up: the
 * bundle has no activator, and its class loader (with the 17 MB of embedded jars) is made on first use.
 */
public final class XGBoostHost {
    private static final Logger LOG = LoggerFactory.getLogger(XGBoostHost.class);
    private static volatile String version;
    private static String failure;

    private XGBoostHost() {
    }

    /**
     * Loads libxgboost4j on the first call (about 0.1 s: it is unpacked to a temporary file and loaded); later calls
     * return at once.
     *
     * @return XGBoost's version, e.g. {@code 3.4.0}
     * @throws IllegalStateException saying why XGBoost cannot load (e.g. the OpenMP runtime libgomp is missing)
     */
    public static String load() {
        String v = version;
        if (v != null) {
            return v;
        }
        synchronized (XGBoostHost.class) {
            if (version != null) {
                return version;
            }
            if (failure != null) {
                throw new IllegalStateException(failure);
            }
            long started = System.nanoTime();
            Thread thread = Thread.currentThread();
            ClassLoader previous = thread.getContextClassLoader();
            thread.setContextClassLoader(XGBoostHost.class.getClassLoader());
            try {
                // the smallest real call: XGBoostJNI's static initialiser loads the library, the matrix proves it works
                new DMatrix(new float[] {1f}, 1, 1, Float.NaN).dispose();
                version = readVersion();
                LOG.info("XGBoost {} loaded in {} ms", version, (System.nanoTime() - started) / 1_000_000);
                return version;
            } catch (Throwable t) {
                failure = explain(t);
                LOG.error("XGBoost cannot load: {}", failure);
                throw new IllegalStateException(failure, t);
            } finally {
                thread.setContextClassLoader(previous);
            }
        }
    }

    /** Whether the native library has been loaded in this JVM by this bundle, without loading it. */
    public static boolean isLoaded() {
        return version != null;
    }

    /** Why XGBoost could not load, or {@code null} when it loaded or was not tried yet. */
    public static synchronized String failure() {
        return failure;
    }

    private static String readVersion() throws IOException {
        try (InputStream in = DMatrix.class.getResourceAsStream("/xgboost4j-version.properties")) {
            Properties p = new Properties();
            if (in != null) {
                p.load(in);
            }
            return p.getProperty("version", "unknown");
        }
    }

    private static String explain(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = String.valueOf(root.getMessage());
        if (message.contains("libgomp")) {
            return "libxgboost4j needs the OpenMP runtime libgomp.so.1: install it (Debian/Ubuntu: apt-get install libgomp1) "
                    + "and restart Cogwork (" + message + ")";
        }
        if (root instanceof UnsatisfiedLinkError && message.contains("already loaded in another classloader")) {
            return "libxgboost4j is already loaded by an earlier copy of the XGBoost native host bundle (it was updated or "
                    + "refreshed); a JVM loads a native library only once: restart Cogwork";
        }
        return root.getClass().getSimpleName() + ": " + message;
    }
}
