package org.cogwork.runtime.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.zip.ZipException;
import org.cogwork.api.problem.ApiException;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.wiring.FrameworkWiring;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bundle operations of the management API: list, install from an upload, start, stop, uninstall. Uploaded
 * jars are kept in {@code data/uploads/} so that a failed update can be rolled back to the previous jar.
 * Platform bundles (from {@code system/}) and the framework cannot be stopped or removed over the API.
 */
final class BundleManager {
    static final String UPLOAD_LOCATION_PREFIX = "cogwork:upload:";
    private static final Logger LOG = LoggerFactory.getLogger(BundleManager.class);

    private final BundleContext ctx;
    private final Dirs dirs;
    private final HeldBack heldBack;
    private final Failures failures;

    BundleManager(BundleContext ctx, Dirs dirs, Failures failures) {
        this.ctx = ctx;
        this.dirs = dirs;
        this.failures = failures;
        this.heldBack = new HeldBack(ctx, dirs);
    }

    List<Map<String, Object>> list() {
        List<Map<String, Object>> out = new ArrayList<>();
        Arrays.stream(ctx.getBundles()).sorted(Comparator.comparingLong(Bundle::getBundleId))
                .forEach(b -> out.add(describe(b)));
        return out;
    }

    /**
     * Manifest header of a bundle that loads native libraries (e.g. the DJL native host): such a bundle is never
     * updated, refreshed or removed over the API, since a JVM loads a native library into one class loader only.
     */
    static final String NATIVE_HEADER = "Cogwork-Native";

    Map<String, Object> describe(Bundle b) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", b.getBundleId());
        m.put("symbolicName", b.getSymbolicName());
        m.put("version", b.getVersion().toString());
        m.put("name", b.getHeaders("").get(Constants.BUNDLE_NAME));
        m.put("state", BundleDiagnostics.state(b));
        m.put("fragment", BundleDiagnostics.isFragment(b));
        m.put("origin", dirs.origin(b.getBundleId(), b.getLocation()));
        m.put("lastModified", b.getLastModified());
        String problem = failures.problem(b);
        if (problem == null) {
            problem = NameClaims.problem(ctx, b); // a name another bundle provides already
        }
        if (problem != null) {
            m.put("problem", problem);
        }
        String held = heldBack.reason(b);
        if (held != null) {
            m.put("heldBack", held);
        }
        String nativeLibraries = b.getHeaders("").get(NATIVE_HEADER);
        if (nativeLibraries != null) {
            m.put("native", nativeLibraries);
            m.put("refreshable", false);
        }
        return m;
    }

    Bundle require(long id) {
        Bundle b = ctx.getBundle(id);
        if (b == null) {
            throw ApiException.notFound("no bundle with id " + id);
        }
        return b;
    }

    /**
     * Installs (or, for a bundle uploaded before, updates) and starts the jar in {@code upload}. On any
     * failure the system is left as it was: a new bundle is uninstalled, an updated one is rolled back.
     *
     * @return the bundle's description and whether it was newly installed
     */
    Map<String, Object> installUpload(Path upload) {
        Manifest mf = readManifest(upload);
        Attributes main = mf.getMainAttributes();
        String bsnHeader = main.getValue(Constants.BUNDLE_SYMBOLICNAME);
        if (bsnHeader == null || bsnHeader.isBlank()) {
            throw new ApiException(400, "not an OSGi bundle: the manifest has no Bundle-SymbolicName",
                    "Bundle-SymbolicName", null);
        }
        String bsn = bsnHeader.split(";")[0].trim();
        if (main.getValue(NATIVE_HEADER) != null) {
            throw new ApiException(422, "bundle " + bsn + " loads native libraries (" + main.getValue(NATIVE_HEADER)
                    + "), which a JVM can load only once: put it in " + dirs.system() + " and restart Cogwork",
                    NATIVE_HEADER, null);
        }
        Bundle existing = Arrays.stream(ctx.getBundles())
                .filter(b -> bsn.equals(b.getSymbolicName())).findFirst().orElse(null);
        if (existing != null && !existing.getLocation().startsWith(UPLOAD_LOCATION_PREFIX)) {
            throw new ApiException(409, "bundle " + bsn + " is already installed from "
                    + dirs.origin(existing.getBundleId(), existing.getLocation())
                    + "; replace it there, or delete it first", "Bundle-SymbolicName", existing.getLocation());
        }
        Path kept = uploadsDir().resolve(bsn + ".jar");
        if (existing == null) {
            return installNew(bsn, upload, kept);
        }
        return updateUploaded(existing, upload, kept);
    }

    private Map<String, Object> installNew(String bsn, Path upload, Path kept) {
        Bundle b;
        try (InputStream in = Files.newInputStream(upload)) {
            b = ctx.installBundle(UPLOAD_LOCATION_PREFIX + bsn, in);
        } catch (BundleException | IOException e) {
            throw new ApiException(400, "the framework refused the bundle", "body", e.getMessage());
        }
        try {
            refusePlatformExports(b);
            startOrExplain(b);
        } catch (ApiException e) {
            uninstallQuietly(b);
            throw e;
        }
        keep(upload, kept);
        LOG.info("Installed uploaded bundle {} {}", bsn, b.getVersion());
        Map<String, Object> d = describe(b);
        d.put("created", true);
        return d;
    }

    private Map<String, Object> updateUploaded(Bundle b, Path upload, Path kept) {
        try (InputStream in = Files.newInputStream(upload)) {
            b.update(in);
            refusePlatformExports(b);
            refresh(b);
            startOrExplain(b);
        } catch (BundleException | IOException | ApiException e) {
            rollBack(b, kept);
            if (e instanceof ApiException api) {
                throw api;
            }
            throw new ApiException(400, "the framework refused the update", "body", e.getMessage());
        }
        keep(upload, kept);
        LOG.info("Updated uploaded bundle {} to {}", b.getSymbolicName(), b.getVersion());
        Map<String, Object> d = describe(b);
        d.put("created", false);
        return d;
    }

    private void rollBack(Bundle b, Path kept) {
        if (!Files.exists(kept)) {
            return;
        }
        try (InputStream in = Files.newInputStream(kept)) {
            b.update(in);
            refresh(b);
            b.start();
            LOG.warn("Rolled bundle {} back to its previous upload {}", b.getSymbolicName(), b.getVersion());
        } catch (BundleException | IOException e) {
            LOG.error("Could not roll bundle {} back to its previous upload", b.getSymbolicName(), e);
        }
    }

    /** Starts a bundle; one held back in safe mode is released first (see {@link HeldBack}). */
    void start(Bundle b) {
        guardPlatform(b, "started or stopped");
        String held = heldBack.reason(b);
        if (held != null) {
            try {
                heldBack.release(b);
            } catch (BundleException e) {
                throw new ApiException(409, "bundle " + b.getSymbolicName() + " could not be released from safe mode",
                        null, e.getMessage());
            }
            LOG.info("Released bundle {} {} from safe mode (held back because: {})", b.getSymbolicName(), b.getVersion(), held);
        }
        startOrExplain(b);
    }

    /** Refuses a bundle that exports a platform package: the launcher's resolver hook would never resolve it. */
    private void refusePlatformExports(Bundle b) {
        List<String> taken = BundleDiagnostics.platformExports(ctx, b);
        if (!taken.isEmpty()) {
            throw new ApiException(422, "bundle " + b.getSymbolicName() + " exports platform package "
                    + String.join(", ", taken) + ", which only the platform (system/) may export",
                    Constants.EXPORT_PACKAGE, "import the package instead of exporting it");
        }
    }

    void stop(Bundle b) {
        guardPlatform(b, "started or stopped");
        try {
            b.stop();
        } catch (BundleException e) {
            throw new ApiException(409, "bundle " + b.getSymbolicName() + " could not be stopped", null, e.getMessage());
        }
    }

    /** Uninstalls; a bundle from {@code deploy/} loses its jar too, so the watcher does not bring it back. */
    void uninstall(Bundle b) {
        guardPlatform(b, "removed");
        String origin = dirs.origin(b.getBundleId(), b.getLocation());
        try {
            if ("deploy".equals(origin)) {
                Files.deleteIfExists(Dirs.fileOf(b.getLocation()));
            } else if ("upload".equals(origin)) {
                Files.deleteIfExists(uploadsDir().resolve(b.getSymbolicName() + ".jar"));
            }
            if (b.getState() != Bundle.UNINSTALLED) {
                b.uninstall();
            }
            heldBack.forget(b);
            refresh(null);
        } catch (IOException e) {
            throw new ApiException(500, "could not delete the bundle's jar", null, e.getMessage());
        } catch (BundleException | IllegalStateException e) {
            if (b.getState() != Bundle.UNINSTALLED) {
                throw new ApiException(409, "bundle " + b.getSymbolicName() + " could not be uninstalled", null, e.getMessage());
            }
        }
        LOG.info("Uninstalled bundle {} {} ({})", b.getSymbolicName(), b.getVersion(), origin);
    }

    private void guardPlatform(Bundle b, String what) {
        String origin = dirs.origin(b.getBundleId(), b.getLocation());
        String nativeLibraries = b.getHeaders("").get(NATIVE_HEADER);
        if (nativeLibraries != null) {
            throw new ApiException(403, "bundle " + b.getSymbolicName() + " holds native libraries (" + nativeLibraries
                    + ") that a JVM can load only once: it cannot be " + what + " while Cogwork runs; replace its jar in "
                    + dirs.system() + " and restart", "id", "refreshing it would leave its engine unusable until a restart");
        }
        if ("framework".equals(origin) || "system".equals(origin) || b.getBundleId() == ctx.getBundle().getBundleId()) {
            throw new ApiException(403, "platform bundle " + b.getSymbolicName() + " cannot be " + what
                    + " over the API", "id", "it belongs to " + dirs.system());
        }
    }

    private void startOrExplain(Bundle b) {
        if (BundleDiagnostics.isFragment(b)) {
            return;
        }
        try {
            b.start();
        } catch (BundleException e) {
            String problem = BundleDiagnostics.problem(ctx, b);
            if (problem != null) {
                throw new ApiException(422, "bundle " + b.getSymbolicName() + " cannot be resolved",
                        "Import-Package", problem);
            }
            throw new ApiException(422, "bundle " + b.getSymbolicName() + " failed to start", null,
                    e.getMessage() + (e.getCause() != null ? ": " + e.getCause() : ""));
        }
    }

    /** Refreshes the given bundle and what depends on it (or pending removals when {@code null}) and waits. */
    private void refresh(Bundle b) {
        FrameworkWiring wiring = ctx.getBundle(0).adapt(FrameworkWiring.class);
        CountDownLatch done = new CountDownLatch(1);
        wiring.refreshBundles(b == null ? null : List.of(b), e -> {
            if (e.getType() == FrameworkEvent.PACKAGES_REFRESHED || e.getType() == FrameworkEvent.ERROR) {
                done.countDown();
            }
        });
        try {
            if (!done.await(30, TimeUnit.SECONDS)) {
                LOG.warn("Refresh did not finish within 30 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Manifest readManifest(Path jar) {
        try (JarFile jf = new JarFile(jar.toFile())) {
            Manifest mf = jf.getManifest();
            if (mf == null) {
                throw new ApiException(400, "not an OSGi bundle: the jar has no META-INF/MANIFEST.MF", "body", null);
            }
            return mf;
        } catch (ZipException e) {
            throw new ApiException(400, "not a valid jar file", "body", e.getMessage());
        } catch (IOException e) {
            throw new ApiException(400, "the upload could not be read as a jar", "body", e.getMessage());
        }
    }

    private Path uploadsDir() {
        Path d = dirs.data().resolve("uploads");
        try {
            Files.createDirectories(d);
        } catch (IOException e) {
            throw new ApiException(500, "cannot create " + d, null, e.getMessage());
        }
        return d;
    }

    private static void keep(Path upload, Path kept) {
        try {
            Files.copy(upload, kept, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            LOG.warn("Could not keep a copy of the upload in {}: {}", kept, e.toString());
        }
    }

    private static void uninstallQuietly(Bundle b) {
        try {
            b.uninstall();
        } catch (BundleException | IllegalStateException e) {
            LOG.warn("Could not uninstall rejected bundle {}", b.getSymbolicName(), e);
        }
    }
}
