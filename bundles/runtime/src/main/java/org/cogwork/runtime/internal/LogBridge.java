package org.cogwork.runtime.internal;

import org.osgi.framework.Bundle;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.log.LogEntry;
import org.osgi.service.log.LogListener;
import org.osgi.service.log.LogReaderService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Forwards OSGi Log Service entries (what SCR, Config Admin and other platform bundles report, WARN and up
 * only) to the one logging backend, so a component that fails to activate shows in the console log.
 */
@Component(name = "org.cogwork.runtime.logbridge", service = {})
public class LogBridge implements LogListener {
    private final LogReaderService reader;

    @Activate
    public LogBridge(@Reference LogReaderService reader) {
        this.reader = reader;
        reader.addLogListener(this);
    }

    @Deactivate
    void deactivate() {
        reader.removeLogListener(this);
    }

    @Override
    public void logged(LogEntry entry) {
        Bundle b = entry.getBundle();
        Logger log = LoggerFactory.getLogger(b == null || b.getSymbolicName() == null ? "osgi" : b.getSymbolicName());
        String message = entry.getMessage();
        Throwable t = entry.getException();
        switch (entry.getLogLevel()) {
            case AUDIT, ERROR -> log.error(message, t);
            case WARN -> log.warn(message, t);
            default -> {
                // framework and bundle events are logged at INFO/DEBUG: the console log would drown in them
            }
        }
    }
}
