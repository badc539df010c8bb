package org.cogwork.engine.xgboost;

import org.cogwork.api.health.HealthCheck;
import org.cogwork.api.health.HealthResult;
import org.cogwork.xgboost.host.XGBoostHost;
import org.osgi.service.component.annotations.Component;

/**
 * {@code /health} entry "xgboost": down, with the reason, when libxgboost4j could not load (e.g. libgomp is missing, or
 * the native host was refreshed). Before this adapter's first training or load it reports "loads on first use"
 * without touching the native host.
 */
@Component(service = HealthCheck.class)
public class XgboostHealth implements HealthCheck {
    @Override
    public String name() {
        return "xgboost";
    }

    @Override
    public HealthResult check() {
        if (!XgboostEngine.xgboostRequested()) {
            // asking the native host would make its class loader, and Felix would unpack its 17 MB: not for a health check
            return HealthResult.up("XGBoost loads on first use");
        }
        String failure = XGBoostHost.failure();
        if (failure != null) {
            return HealthResult.down(failure);
        }
        return HealthResult.up(XGBoostHost.isLoaded() ? "XGBoost loaded" : "XGBoost loads on first use");
    }
}
