package org.cogwork.engine.onnx;

import org.cogwork.api.health.HealthCheck;
import org.cogwork.api.health.HealthResult;
import org.cogwork.onnx.host.OnnxHost;
import org.osgi.service.component.annotations.Component;

/**
 * {@code /health} entry "onnx": down, with the reason, when ONNX Runtime could not load (e.g. the native host was
 * refreshed). Before this adapter's first import or load it reports "loads on first use" without loading anything.
 */
@Component(service = HealthCheck.class)
public class OnnxHealth implements HealthCheck {
    @Override
    public String name() {
        return "onnx";
    }

    @Override
    public HealthResult check() {
        if (!OnnxEngine.runtimeRequested()) {
            return HealthResult.up("ONNX Runtime loads on first use");
        }
        String failure = OnnxHost.failure();
        if (failure != null) {
            return HealthResult.down(failure);
        }
        return HealthResult.up(OnnxHost.isLoaded() ? "ONNX Runtime " + OnnxHost.version() + " loaded" : "ONNX Runtime loads on first use");
    }
}
