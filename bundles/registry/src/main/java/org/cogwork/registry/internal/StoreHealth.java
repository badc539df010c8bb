package org.cogwork.registry.internal;

import org.cogwork.api.health.HealthCheck;
import org.cogwork.api.health.HealthResult;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** /health reports the metadata store: DOWN, with the reason, when its database cannot be opened. */
@Component(name = "org.cogwork.registry.health", service = HealthCheck.class)
public class StoreHealth implements HealthCheck {
    private final MetadataStore store;

    @Activate
    public StoreHealth(@Reference MetadataStore store) {
        this.store = store;
    }

    @Override
    public String name() {
        return "metadata-store";
    }

    @Override
    public HealthResult check() {
        return store.health();
    }
}
