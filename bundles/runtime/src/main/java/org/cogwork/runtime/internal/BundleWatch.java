package org.cogwork.runtime.internal;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.BundleException;
import org.osgi.framework.BundleListener;
import org.osgi.framework.startlevel.BundleStartLevel;
import org.osgi.framework.startlevel.FrameworkStartLevel;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reports bundles that were installed or updated (by the deploy watcher or anyone else) but could not be
 * resolved, naming the missing requirement, shortly after the installer has had its chance to start them; and
 * starts again a bundle whose start failed only because Felix could not take its global resolve lock while another
 * thread resolved (FileInstall does not retry a failed start until something in its folder changes: a plugin in
 * deploy/ stayed RESOLVED, seen in CI when a moved home re-installed its bundles while FileInstall started them).
 */
@Component(name = "org.cogwork.runtime.bundlewatch", service = {})
public class BundleWatch implements BundleListener {
    private static final Logger LOG = LoggerFactory.getLogger(BundleWatch.class);
    /** Starts tried again after a lock failure, 1, 2, 4, 8 and 16 s apart. */
    private static final int RETRIES = 5;

    /** Bundles that began to start since they were installed or updated: their start got past resolving. */
    private final java.util.Set<Long> startAttempted = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private final BundleContext ctx;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "cogwork-bundle-watch");
        t.setDaemon(true);
        return t;
    });

    @Activate
    public BundleWatch(BundleContext ctx) {
        this.ctx = ctx;
        ctx.addBundleListener(this);
    }

    @Deactivate
    void deactivate() {
        ctx.removeBundleListener(this);
        timer.shutdownNow();
    }

    @Override
    public void bundleChanged(BundleEvent event) {
        if (event.getType() == BundleEvent.STARTING || event.getType() == BundleEvent.STARTED) {
            startAttempted.add(event.getBundle().getBundleId());
        } else if (event.getType() == BundleEvent.UNINSTALLED) {
            startAttempted.remove(event.getBundle().getBundleId());
        }
        if (event.getType() == BundleEvent.INSTALLED || event.getType() == BundleEvent.UPDATED) {
            Bundle b = event.getBundle();
            startAttempted.remove(b.getBundleId());
            timer.schedule(() -> report(b), 1500, TimeUnit.MILLISECONDS);
            timer.schedule(() -> startIfItShouldRun(b, 0), 2000, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Starts {@code b} if it is resolved but not running while it should run: persistently started (its installer
     * called start(), which records that before resolving; a bundle stopped on purpose is not) at a start level the
     * framework has reached (safe mode holds plugins back above it), and never got as far as STARTING. A start
     * that fails for another reason (an activator's exception, a missing requirement) is left as it is, for
     * BundleDiagnostics to report.
     */
    private void startIfItShouldRun(Bundle b, int attempt) {
        // a bundle whose activator ran (and failed, or was stopped since) is not started again behind anyone's back
        if (b.getState() != Bundle.RESOLVED || BundleDiagnostics.isFragment(b) || startAttempted.contains(b.getBundleId())) {
            return;
        }
        BundleStartLevel level = b.adapt(BundleStartLevel.class);
        FrameworkStartLevel framework = ctx.getBundle(0).adapt(FrameworkStartLevel.class);
        if (level == null || framework == null || !level.isPersistentlyStarted() || level.getStartLevel() > framework.getStartLevel()) {
            return;
        }
        try {
            b.start();
            LOG.info("Started {} {} ({}): its installer's start had failed", b.getSymbolicName(), b.getVersion(), b.getLocation());
        } catch (BundleException | IllegalStateException e) {
            if (String.valueOf(e.getMessage()).contains("global lock") && attempt < RETRIES) {
                timer.schedule(() -> startIfItShouldRun(b, attempt + 1), 1000L << attempt, TimeUnit.MILLISECONDS);
            }
        }
    }

    private void report(Bundle b) {
        if (b.getState() == Bundle.INSTALLED && !BundleDiagnostics.isFragment(b)) {
            LOG.warn("Bundle {} {} ({}) is not resolved: {}", b.getSymbolicName(), b.getVersion(), b.getLocation(),
                    BundleDiagnostics.problem(ctx, b));
        }
    }
}
