package org.cogwork.api.tracking;

import java.time.Instant;

/** One value of a metric's time series. NaN and infinities are allowed, as in MLflow. */
public record MetricPoint(String key, double value, long step, Instant timestamp) {
}
