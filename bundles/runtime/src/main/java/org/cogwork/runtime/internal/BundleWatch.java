package org.cogwork.runtime.internal;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.BundleListener;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reports bundles that were installed or updated (by the deploy watcher or anyone else) but could not be
 * resolved, naming the missing requirement, shortly after the installer has had its chance to start them.
 */
@Component(name = "org.cogwork.runtime.bundlewatch", service = {})
public class BundleWatch implements BundleListener {
    private static final Logger LOG = LoggerFactory.getLogger(BundleWatch.class);

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
        if (event.getType() == BundleEvent.INSTALLED || event.getType() == BundleEvent.UPDATED) {
            Bundle b = event.getBundle();
            timer.schedule(() -> report(b), 1500, TimeUnit.MILLISECONDS);
        }
    }

    private void report(Bundle b) {
        if (b.getState() == Bundle.INSTALLED && !BundleDiagnostics.isFragment(b)) {
            LOG.warn("Bundle {} {} ({}) is not resolved: {}", b.getSymbolicName(), b.getVersion(), b.getLocation(),
                    BundleDiagnostics.problem(ctx, b));
        }
    }
}
