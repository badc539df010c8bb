package org.cogwork.engine.djl;

import org.cogwork.api.health.HealthCheck;
import org.cogwork.api.health.HealthResult;
import org.cogwork.djl.host.NativeHost;
import org.osgi.service.component.annotations.Component;

/**
 * {@code /health} entry "djl": down, with the reason, when PyTorch could not load (e.g. the native host was refreshed).
 * Before this adapter's first training or load it reports "loads on first use" without touching the native host.
 */
@Component(service = HealthCheck.class)
public class DjlHealth implements HealthCheck {
    @Override
    public String name() {
        return "djl";
    }

    @Override
    public HealthResult check() {
        if (!DjlEngine.pytorchRequested()) {
            // asking the native host would load its classes, and Felix would unpack 110 MB: not for a health check
            return HealthResult.up("PyTorch loads on first use");
        }
        String failure = NativeHost.failure();
        if (failure != null) {
            return HealthResult.down(failure);
        }
        return HealthResult.up(NativeHost.isLoaded() ? "PyTorch loaded" : "PyTorch loads on first use");
    }
}
