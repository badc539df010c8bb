package org.cogwork.runtime.internal;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.BundleListener;
import org.osgi.service.cm.ConfigurationEvent;
import org.osgi.service.cm.ConfigurationListener;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.log.LogEntry;
import org.osgi.service.log.LogLevel;
import org.osgi.service.log.LogListener;
import org.osgi.service.log.LogReaderService;

/**
 * Failures the framework does not keep, read from the OSGi log: a bundle whose activator threw (Felix puts it back
 * to RESOLVED and tells only the caller of {@code start}, here FileInstall or the framework's start level, both of
 * which log it) and a configuration file that FileInstall could not apply ("Failed to install artifact"). Each is
 * kept until the bundle starts, is updated or leaves, or until the file is applied or removed.
 */
@Component(name = "org.cogwork.runtime.failures", service = {Failures.class, ConfigurationListener.class})
public class Failures implements LogListener, BundleListener, ConfigurationListener {
    /** Felix's message, e.g. "Activator start error in bundle org.example [42]." */
    private static final Pattern ACTIVATOR_ERROR = Pattern.compile("Activator start error in bundle \\S+ \\[(\\d+)\\]");
    /** Felix Log hands listeners a copy of a bundle's exception whose text starts with this. */
    private static final String LOG_EXCEPTION = "org.apache.felix.log.LogException: ";
    private static final String FILEINSTALL = "org.apache.felix.fileinstall";

    private final BundleContext ctx;
    private final LogReaderService reader;
    private final Path configDir;
    private final Map<Long, String> activators = new ConcurrentHashMap<>();
    private final Map<Path, String> configFiles = new ConcurrentHashMap<>();

    @Activate
    public Failures(BundleContext ctx, @Reference LogReaderService reader) {
        this.ctx = ctx;
        this.reader = reader;
        String dir = ctx.getProperty("cogwork.config.dir");
        this.configDir = dir == null ? null : Path.of(dir).toAbsolutePath().normalize();
        ctx.addBundleListener(this);
        reader.addLogListener(this);
        // what happened before this bundle started (a plugin that failed at start-up), oldest first
        List<LogEntry> past = Collections.list(reader.getLog());
        Collections.reverse(past);
        past.forEach(this::logged);
    }

    @Deactivate
    void deactivate() {
        reader.removeLogListener(this);
        ctx.removeBundleListener(this);
    }

    /** Why {@code b}'s activator failed the last time it was started, or {@code null}. */
    String activatorFailure(Bundle b) {
        return b.getState() == Bundle.RESOLVED ? activators.get(b.getBundleId()) : null;
    }

    /**
     * The one-line problem of a bundle for {@code /api/bundles} and {@code /health}: why it does not resolve
     * ({@link BundleDiagnostics#problem}) or why it did not start; {@code null} when there is none.
     */
    String problem(Bundle b) {
        String p = BundleDiagnostics.problem(ctx, b);
        if (p != null) {
            return p;
        }
        String failed = activatorFailure(b);
        return failed == null ? null : "started, but its activator failed: " + failed;
    }

    /** Configuration files that could not be applied, with the reason, e.g. {@code config/x.config: ...}. */
    List<String> configurationFailures() {
        List<String> out = new ArrayList<>();
        configFiles.forEach((file, why) -> {
            if (!Files.exists(file)) {
                configFiles.remove(file);
            } else {
                out.add("configuration file " + shown(file) + " could not be applied: " + why);
            }
        });
        Collections.sort(out);
        return out;
    }

    @Override
    public void logged(LogEntry entry) {
        for (Throwable t = entry.getException(); t != null; t = t.getCause()) {
            Matcher m = ACTIVATOR_ERROR.matcher(String.valueOf(t.getMessage()));
            if (m.find()) {
                Throwable cause = t.getCause() != null ? t.getCause() : t;
                activators.put(Long.parseLong(m.group(1)), text(cause));
                return;
            }
        }
        Bundle from = entry.getBundle();
        if (configDir != null && from != null && FILEINSTALL.equals(from.getSymbolicName())
                && LogLevel.WARN.implies(entry.getLogLevel())) {
            Path file = fileIn(String.valueOf(entry.getMessage()));
            if (file != null) {
                configFiles.put(file, entry.getException() == null ? entry.getMessage() : text(entry.getException()));
            }
        }
    }

    @Override
    public void bundleChanged(BundleEvent event) {
        switch (event.getType()) {
            case BundleEvent.STARTED, BundleEvent.UPDATED, BundleEvent.UNINSTALLED, BundleEvent.UNRESOLVED ->
                    activators.remove(event.getBundle().getBundleId());
            default -> {
                // a failed start goes STARTING, STOPPING, STOPPED: nothing to forget
            }
        }
    }

    @Override
    public void configurationEvent(ConfigurationEvent event) {
        if (event.getType() == ConfigurationEvent.CM_UPDATED || event.getType() == ConfigurationEvent.CM_DELETED) {
            // FileInstall names a configuration after its file: <pid>.cfg, or <factoryPid>-<name>.cfg for <factoryPid>~<name>
            configFiles.keySet().removeIf(f -> event.getPid().equals(pidOf(f)));
        }
    }

    static String pidOf(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String stem = dot > 0 ? name.substring(0, dot) : name;
        int dash = stem.indexOf('-');
        return dash > 0 ? stem.substring(0, dash) + "~" + stem.substring(dash + 1) : stem;
    }

    /** The first path below the config folder in a log message, e.g. FileInstall's "Failed to install artifact: /h/config/x.config". */
    private Path fileIn(String message) {
        String dir = configDir.toString();
        int at = message.indexOf(dir);
        if (at < 0) {
            return null;
        }
        int end = at;
        while (end < message.length() && !Character.isWhitespace(message.charAt(end))) {
            end++;
        }
        Path p = Path.of(message.substring(at, end)).normalize();
        return p.startsWith(configDir) && !p.equals(configDir) ? p : null;
    }

    private String shown(Path file) {
        Path home = configDir.getParent();
        return home == null ? file.toString() : home.relativize(file).toString();
    }

    /** An exception as people read it: its class and message, without Felix Log's wrapper. */
    static String text(Throwable t) {
        return unwrapped(t.toString());
    }

    /** {@code s} without Felix Log's wrapper class name in front. */
    static String unwrapped(String s) {
        while (s.startsWith(LOG_EXCEPTION)) {
            s = s.substring(LOG_EXCEPTION.length());
        }
        return s;
    }
}
