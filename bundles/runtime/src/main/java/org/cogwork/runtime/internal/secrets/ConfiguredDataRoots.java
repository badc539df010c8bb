package org.cogwork.runtime.internal.secrets;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.cogwork.api.security.DataRoots;
import org.cogwork.runtime.internal.RuntimeConfig;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The data roots from {@code data.roots} in {@code config/org.cogwork.runtime.cfg} (comma-separated; relative to
 * the Cogwork home; default {@code data/files}, made at start). A change applies to the next source or training;
 * sources made earlier keep running until they are changed.
 */
@Component(service = DataRoots.class, configurationPid = RuntimeConfig.PID, immediate = true)
public class ConfiguredDataRoots implements DataRoots {
    private static final Logger LOG = LoggerFactory.getLogger(ConfiguredDataRoots.class);
    private final Path home;
    private volatile List<Path> roots = List.of();

    @Activate
    public ConfiguredDataRoots(BundleContext ctx, RuntimeConfig config) {
        String h = ctx.getProperty("cogwork.home");
        this.home = Path.of(h == null ? "" : h).toAbsolutePath();
        modified(config);
    }

    @Modified
    void modified(RuntimeConfig config) {
        List<Path> out = new ArrayList<>();
        for (String entry : config.data_roots()) {
            Arrays.stream(entry.split(",")).map(String::strip).filter(s -> !s.isEmpty()).forEach(s -> out.add(home.resolve(s).normalize()));
        }
        if (out.contains(home.resolve("data/files").normalize())) {
            try {
                Files.createDirectories(home.resolve("data/files"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        roots = DataRoots.of(out).roots();
        LOG.info("data roots: {}", roots);
    }

    @Override
    public List<Path> roots() {
        return roots;
    }
}
