package org.cogwork.itests.faulty;

import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;

/**
 * A bundle activator that fails on purpose. The faulty engine's manifest does not name it; a test makes a copy of the
 * jar with {@code Bundle-Activator: org.cogwork.itests.faulty.ThrowingActivator} to see how the platform reports a
 * bundle that cannot start.
 */
public class ThrowingActivator implements BundleActivator {
    static final String MESSAGE = "the throwing activator fails on purpose";

    @Override
    public void start(BundleContext context) {
        throw new IllegalStateException(MESSAGE);
    }

    @Override
    public void stop(BundleContext context) {
        // never started
    }
}
