package org.cogwork.djl.host;

import ai.djl.engine.Engine;
import ai.djl.pytorch.engine.PtEngineProvider;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads DJL's PyTorch engine once per JVM, offline, from the native jar on this bundle's class path.
 *
 * <p>DJL finds engines through {@link java.util.ServiceLoader} with the thread's context class loader, once,
 * into a static map; libtorch binds to the class loader that loaded it. So the first touch of
 * {@link Engine} happens here, with this bundle's class loader as the context class loader, and every DJL
 * call that may look up an engine runs through {@link #call}. Outside OSGi (tests, benchmarks) the same code
 * runs with the application class loader.
 */
public final class NativeHost {
    /** DJL's engine name for PyTorch. */
    public static final String PYTORCH = "PyTorch";
    private static final Logger LOG = LoggerFactory.getLogger(NativeHost.class);
    private static volatile Engine engine;
    private static String failure;

    private NativeHost() {
    }

    /**
     * The PyTorch engine, loading libtorch on the first call (the first call on a new cache folder also unpacks
     * the native libraries, about 430 MB, which takes seconds).
     *
     * @throws IllegalStateException saying why PyTorch cannot load (e.g. this bundle was refreshed, which needs a
     *     restart of the JVM)
     */
    public static Engine pytorch() {
        Engine e = engine;
        if (e != null) {
            return e;
        }
        synchronized (NativeHost.class) {
            if (engine != null) {
                return engine;
            }
            if (failure != null) {
                throw new IllegalStateException(failure);
            }
            configureOffline(dataDir());
            long started = System.nanoTime();
            try {
                engine = call(() -> {
                    if (!Engine.hasEngine(PYTORCH)) {
                        // ServiceLoader (on this bundle's class loader, see above) normally finds it; register the
                        // provider by hand when it did not, rather than fail with "No deep learning engine found"
                        Engine.registerEngine(new PtEngineProvider());
                    }
                    return Engine.getEngine(PYTORCH);
                });
                LOG.info("PyTorch {} loaded by DJL {} in {} ms (cache {})", engine.getVersion(), Engine.getDjlVersion(),
                        (System.nanoTime() - started) / 1_000_000, System.getProperty("DJL_CACHE_DIR", "~/.djl.ai"));
                return engine;
            } catch (Throwable t) {
                failure = explain(t);
                LOG.error("DJL PyTorch cannot load: {}", failure);
                throw new IllegalStateException(failure, t);
            }
        }
    }

    /** Whether PyTorch has been loaded in this JVM by this bundle, without loading it. */
    public static boolean isLoaded() {
        return engine != null;
    }

    /** Why PyTorch could not load, or {@code null} when it loaded or was not tried yet. */
    public static synchronized String failure() {
        return failure;
    }

    /** Runs {@code task} with this bundle's class loader as the thread's context class loader. */
    public static <T> T call(Callable<T> task) throws Exception {
        Thread t = Thread.currentThread();
        ClassLoader previous = t.getContextClassLoader();
        t.setContextClassLoader(NativeHost.class.getClassLoader());
        try {
            return task.call();
        } finally {
            t.setContextClassLoader(previous);
        }
    }

    /**
     * Tells DJL never to download and never to report usage; puts its cache under {@code dataDir/djl} when given
     * and no cache folder was chosen already ({@code -DDJL_CACHE_DIR=...} wins).
     */
    static void configureOffline(Path dataDir) {
        setIfAbsent("ai.djl.offline", "true");
        setIfAbsent("OPT_OUT_TRACKING", "true");
        if (dataDir != null) {
            setIfAbsent("DJL_CACHE_DIR", dataDir.resolve("djl").toString());
        }
    }

    /**
     * The runtime's data folder (framework property {@code cogwork.data.dir}), or {@code null} outside OSGi. Read on
     * first use rather than by a bundle activator: an activator would create this bundle's class loader at start-up,
     * and Felix then unpacks the 110 MB of embedded jars into its cache before Cogwork is up.
     */
    private static Path dataDir() {
        Bundle bundle = FrameworkUtil.getBundle(NativeHost.class);
        BundleContext ctx = bundle == null ? null : bundle.getBundleContext();
        String dir = ctx == null ? null : ctx.getProperty("cogwork.data.dir");
        return dir == null ? null : Path.of(dir);
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null && System.getenv(key) == null) {
            System.setProperty(key, value);
        }
    }

    private static String explain(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = String.valueOf(root.getMessage());
        if (root instanceof UnsatisfiedLinkError && message.contains("already loaded in another classloader")) {
            return "libtorch is already loaded by an earlier copy of the DJL native host bundle (it was updated or "
                    + "refreshed); a JVM loads a native library only once: restart Cogwork";
        }
        return root.getClass().getSimpleName() + ": " + message;
    }

}
