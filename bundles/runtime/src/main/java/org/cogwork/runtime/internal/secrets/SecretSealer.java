package org.cogwork.runtime.internal.secrets;

import java.io.IOException;
import java.util.Dictionary;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.Map;
import org.cogwork.api.security.SecretBox;
import org.cogwork.runtime.rest.Secrets;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.BundleListener;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.cm.ConfigurationEvent;
import org.osgi.service.cm.ConfigurationListener;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.MetaTypeService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps secrets sealed at rest in Config Admin: whenever a configuration is stored (a {@code .cfg} file edited,
 * a source created over REST), every property its MetaType declares a password that is still clear is replaced by
 * its {@link SecretBox#seal sealed} form and the configuration stored again. Config Admin's own files then hold
 * only sealed values, and the sealed value replaces the clear one in the {@code .cfg} file the admin edited (see
 * {@link ConfigFiles}). At startup, and whenever a bundle starts (its MetaType says which of the stored values are
 * secrets), every stored configuration is checked again.
 */
@Component(service = ConfigurationListener.class, immediate = true)
public class SecretSealer implements ConfigurationListener {
    private static final Logger LOG = LoggerFactory.getLogger(SecretSealer.class);
    private final BundleContext ctx;
    private final ConfigurationAdmin admin;
    private final MetaTypeService metaType;
    private final SecretBox box;
    private final BundleListener listener = this::bundleChanged;

    @Activate
    public SecretSealer(BundleContext ctx, @Reference ConfigurationAdmin admin, @Reference MetaTypeService metaType, @Reference SecretBox box) {
        this.ctx = ctx;
        this.admin = admin;
        this.metaType = metaType;
        this.box = box;
        sealAll();
        // a bundle that arrives brings the MetaType that says which of its stored values are secrets
        ctx.addBundleListener(listener);
    }

    @Deactivate
    void deactivate() {
        ctx.removeBundleListener(listener);
    }

    private void bundleChanged(BundleEvent e) {
        if (e.getType() == BundleEvent.STARTED) {
            sealAll();
        }
    }

    private void sealAll() {
        try {
            Configuration[] all = admin.listConfigurations(null);
            if (all != null) {
                for (Configuration c : all) {
                    seal(c);
                }
            }
        } catch (IOException | org.osgi.framework.InvalidSyntaxException | RuntimeException e) {
            LOG.error("could not check stored configurations for clear secrets", e);
        }
    }

    @Override
    public void configurationEvent(ConfigurationEvent event) {
        if (event.getType() != ConfigurationEvent.CM_UPDATED) {
            return;
        }
        try {
            Configuration c = admin.getConfiguration(event.getPid(), null);
            seal(c);
        } catch (IOException | RuntimeException e) {
            LOG.error("could not seal the secrets of configuration {}", event.getPid(), e);
        }
    }

    private void seal(Configuration c) throws IOException {
        Dictionary<String, Object> props = c.getProperties();
        if (props == null) {
            return;
        }
        Secrets.Declared declared = declared(c.getFactoryPid() != null ? c.getFactoryPid() : c.getPid());
        if (declared == null || declared.secrets().isEmpty()) {
            return;
        }
        Map<String, String> sealed = new HashMap<>();
        for (Enumeration<String> keys = props.keys(); keys.hasMoreElements(); ) {
            String key = keys.nextElement();
            if (declared.secrets().contains(key) && props.get(key) instanceof String v && !v.isEmpty() && !SecretBox.isSealed(v)) {
                sealed.put(key, box.seal(v));
            }
        }
        if (sealed.isEmpty()) {
            return;
        }
        sealed.forEach(props::put);
        c.updateIfDifferent(props);
        LOG.info("sealed the secrets of configuration {}", c.getPid());
        if (props.get(ConfigFiles.FILENAME) instanceof String file) {
            ConfigFiles.replaceValues(file, sealed);
        }
    }

    /**
     * What a Cogwork bundle's MetaType declares for {@code pid}, or {@code null}. Only Cogwork's bundles read sealed
     * values ({@code SecretBox.open}); a third-party bundle's declared password (Felix Web Console's, say) is left
     * as its owner wrote it, since sealing it would lock that bundle out (CI: the console refused its configured admin).
     */
    private Secrets.Declared declared(String pid) {
        for (Bundle b : ctx.getBundles()) {
            if (b.getSymbolicName() == null || !b.getSymbolicName().startsWith("org.cogwork.")) {
                continue;
            }
            Secrets.Declared d = Secrets.declared(metaType, b, pid);
            if (d != null) {
                return d;
            }
        }
        return null;
    }
}
