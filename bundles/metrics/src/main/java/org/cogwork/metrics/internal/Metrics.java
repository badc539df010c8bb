package org.cogwork.metrics.internal;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.distribution.pause.NoPauseDetector;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Dictionary;
import java.util.Hashtable;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;

/**
 * The one {@link MeterRegistry} of the process: a Prometheus registry, published as a {@code MeterRegistry} service
 * for every bundle that measures something (serving now, training and others later), with the JVM's meters (memory,
 * GC, threads, class loading, CPU, file descriptors, uptime) bound to it. {@link #scrape()} is what {@code GET
 * /metrics} answers. A bundle that registers meters keeps the handles (a {@code Timer}, a {@code Counter}) it got,
 * so its hot path never looks a meter up by name and tags, and removes them when it stops.
 */
@Component(service = Metrics.class, immediate = true)
public class Metrics {
    /** Prometheus' text exposition format, the one every scraper reads. */
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final JvmGcMetrics gc = new JvmGcMetrics();
    private final ServiceRegistration<MeterRegistry> registration;

    @Activate
    public Metrics(BundleContext ctx) {
        // Pause detection needs LatencyUtils (not embedded) and a thread; the JVM's GC meters say more.
        registry.config().pauseDetector(new NoPauseDetector());
        // Two of Micrometer's processor meters break Prometheus' naming rules (promtool check metrics: a unit
        // abbreviated in process_cpu_time_ns_total, a gauge ending in _count); process_cpu_usage and
        // system_cpu_usage say the same in a form the checker accepts.
        registry.config().meterFilter(MeterFilter.deny(id -> id.getName().equals("process.cpu.time")
                || id.getName().equals("system.cpu.count")));
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        Dictionary<String, Object> props = new Hashtable<>();
        props.put(Constants.SERVICE_DESCRIPTION, "Cogwork's Prometheus meter registry (GET /metrics)");
        registration = ctx.registerService(MeterRegistry.class, registry, props);
    }

    @Deactivate
    void deactivate() {
        try {
            registration.unregister();
        } catch (IllegalStateException e) {
            // already gone with the bundle
        }
        gc.close();
        registry.close();
    }

    MeterRegistry registry() {
        return registry;
    }

    /** Every meter in the Prometheus text format ({@link #CONTENT_TYPE}). */
    String scrape() {
        return registry.scrape(CONTENT_TYPE);
    }
}
