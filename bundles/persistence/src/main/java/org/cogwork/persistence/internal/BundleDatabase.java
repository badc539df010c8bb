package org.cogwork.persistence.internal;

import org.cogwork.persistence.Database;
import org.jdbi.v3.core.HandleCallback;
import org.jdbi.v3.core.Jdbi;
import org.osgi.framework.Bundle;
import org.osgi.service.component.ComponentContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ServiceScope;

/**
 * The {@link Database} service, one instance per bundle that gets it (bundle scope): the instance applies that
 * bundle's {@code db/migration/} scripts before its first call returns, so a component that references
 * {@code Database} never sees its tables missing, and no list of modules is kept anywhere.
 */
@Component(name = "org.cogwork.persistence.database", service = Database.class, scope = ServiceScope.BUNDLE)
public final class BundleDatabase implements Database {
    private final Database delegate;

    @Activate
    public BundleDatabase(ComponentContext cc, @Reference MetadataStore store) {
        Bundle user = cc.getUsingBundle();
        this.delegate = store.database(user.getSymbolicName(), MigrationSource.of(user));
    }

    @Override
    public Jdbi jdbi() {
        return delegate.jdbi();
    }

    @Override
    public <R> R tx(HandleCallback<R, RuntimeException> work) {
        return delegate.tx(work);
    }

    @Override
    public boolean postgres() {
        return delegate.postgres();
    }

    @Override
    public String where() {
        return delegate.where();
    }
}
